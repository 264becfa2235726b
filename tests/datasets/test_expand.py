"""Tests of Nielsen's expanded training set: each image also shifted one pixel four ways, kept
as uint8, five times the images, the same every time; validation and test never expanded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.datasets import DatasetError, load_dataset
from nntui.datasets.expand import (
    FACTOR,
    SHIFTS,
    expand_images,
    expand_labels,
    expanded_bytes,
    shift,
)
from nntui.datasets.idx import write_idx

# A 4x4 image whose every pixel differs, so a shift shows where each one went.
IMAGE = np.arange(1, 17, dtype=np.uint8).reshape(4, 4)

MOVED = {
    "down": [[0, 0, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]],
    "up": [[5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [0, 0, 0, 0]],
    "right": [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 11], [0, 13, 14, 15]],
    "left": [[2, 3, 4, 0], [6, 7, 8, 0], [10, 11, 12, 0], [14, 15, 16, 0]],
}


@pytest.mark.parametrize(("name", "axis", "step"), SHIFTS)
def test_each_shift_moves_the_image_one_pixel_and_shifts_in_zeros(name: str, axis: int,
                                                                  step: int) -> None:
    assert shift(IMAGE[None], axis, step)[0].tolist() == MOVED[name]


def test_shifts_match_nielsens_roll_and_zero() -> None:
    """expand_mnist.py: ``np.roll`` by ±1, then the row or column that wrapped set to zero."""
    images = np.random.default_rng(0).integers(0, 256, (7, 28, 28), dtype=np.uint8)
    for _, axis, step in SHIFTS:
        rolled = np.roll(images, step, axis=axis + 1)
        edge = [slice(None)] * 3
        edge[axis + 1] = 0 if step == 1 else -1
        rolled[tuple(edge)] = 0
        assert np.array_equal(shift(images, axis, step), rolled)


def test_a_shift_into_a_used_buffer_clears_the_edge() -> None:
    out = np.full((1, 4, 4), 255, dtype=np.uint8)
    shift(IMAGE[None], 0, 1, out=out)
    assert out[0].tolist() == MOVED["down"]


def test_the_expanded_set_is_five_blocks_of_uint8_images() -> None:
    images = np.stack([IMAGE, IMAGE.T])
    expanded = expand_images(images)
    assert expanded.shape == (FACTOR * 2, 4, 4) == (10, 4, 4)
    assert expanded.dtype == np.uint8
    assert np.array_equal(expanded[:2], images)  # the plain images first
    for block, (name, _, _) in enumerate(SHIFTS, start=1):
        assert expanded[2 * block].tolist() == MOVED[name]
    assert expand_labels(np.array([3, 7])).tolist() == [3, 7] * FACTOR


def test_expanding_is_deterministic() -> None:
    images = np.random.default_rng(5).integers(0, 256, (20, 28, 28), dtype=np.uint8)
    assert np.array_equal(expand_images(images), expand_images(images.copy()))
    first = load_dataset("mnist", train_size=100, expand=True, seed=1)
    second = load_dataset("mnist", train_size=100, expand=True, seed=2)
    assert np.array_equal(first.train.x, second.train.x)


def test_what_is_not_an_image_is_refused() -> None:
    with pytest.raises(DatasetError, match="only images"):
        expand_images(np.zeros((3, 784), dtype=np.uint8))
    with pytest.raises(DatasetError, match="1x28 pixels"):
        expand_images(np.zeros((3, 1, 28), dtype=np.uint8))


def test_expanded_mnist_is_five_times_the_training_images_as_bytes() -> None:
    plain = load_dataset("mnist", train_size=1000)
    expanded = load_dataset("mnist", train_size=1000, expand=True)
    train = expanded.train
    assert train.x.shape == (5000, 784) and train.x.dtype == np.uint8
    assert train.y.shape == (5000, 10) and train.y.dtype == np.float32
    assert np.array_equal(train.labels, np.tile(plain.train.labels, 5))
    assert np.array_equal(train.y.argmax(axis=1), train.labels)
    # The first block is the plain set: its bytes stand for the plain floats, v/256, exactly.
    assert np.array_equal(train.x[:1000] * np.float32(1 / 256), plain.train.x)
    # Moved down a pixel: row r of the image is row r - 1 of the original, row 0 is blank.
    down = train.x[1000:2000].reshape(-1, 28, 28)
    original = train.x[:1000].reshape(-1, 28, 28)
    assert np.array_equal(down[:, 1:], original[:, :-1]) and not down[:, 0].any()
    assert train.x.nbytes + train.y.nbytes + train.labels.nbytes == expanded_bytes(
        1000, 784, 10, np.float32)
    for split in ("validation", "test"):  # never expanded
        assert np.array_equal(getattr(expanded, split).x, getattr(plain, split).x)
    assert expanded.n_inputs == 784
    assert "expanded 5× by one-pixel shifts" in expanded.description


def test_an_expanded_set_that_would_not_fit_is_refused_before_it_is_made() -> None:
    needed = expanded_bytes(2000, 784, 10, np.float32)
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist", train_size=2000, expand=True, memory_free=needed - 1)
    message = str(error.value)
    assert "Expanding 2,000 training images to 10,000 needs about" in message
    assert "smaller training size" in message and "expand off" in message
    assert len(load_dataset("mnist", train_size=2000, expand=True,
                            memory_free=needed).train) == 10_000


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral", "neuron"])
def test_sets_that_are_not_images_cannot_be_expanded(name: str) -> None:
    with pytest.raises(DatasetError, match="Only images can be expanded"):
        load_dataset(name, expand=True)


def test_any_folder_of_idx_images_can_be_expanded(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (12, 5, 6), dtype=np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", rng.integers(0, 10, 12, dtype=np.uint8))
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images[:4])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", rng.integers(0, 10, 4, dtype=np.uint8))
    data = load_dataset(str(tmp_path), validate_on="test", expand=True)
    assert data.train.x.shape == (60, 30) and data.train.x.dtype == np.uint8
    assert np.array_equal(data.train.x.reshape(60, 5, 6), expand_images(images))
