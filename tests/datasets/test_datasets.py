"""Tests of nntui.datasets: bundled MNIST, IDX folders, the 2-D sets, the neuron, every error."""

from __future__ import annotations

import gzip
import os
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nntui.datasets import (
    DATASET_NAMES,
    Dataset,
    DatasetError,
    Split,
    available_datasets,
    dataset_problem,
    load_dataset,
)
from nntui.datasets import mnist as mnist_module
from nntui.datasets.idx import idx_bytes, parse_idx, read_idx, write_idx
from nntui.datasets.mnist import FILE_STEMS, find_idx_files, read_idx_folder

REPO_MNIST = Path(__file__).resolve().parents[2] / "data" / "mnist"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


# ----------------------------------------------------------------------------------------------
# Helpers: tiny MNIST-format folders written into tmp_path


def make_idx_folder(
    directory: Path,
    *,
    n_train: int = 30,
    n_test: int = 12,
    size: int = 4,
    gz: bool = True,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Write four small IDX files (images size x size) and return the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, size, size), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, size, size), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        write_idx(directory / (f"{stem}.gz" if gz else stem), array)
    return arrays


def file_of(directory: Path, stem: str) -> Path:
    (path,) = [p for p in directory.iterdir() if p.name.startswith(stem)]
    return path


def assert_error_names(error: pytest.ExceptionInfo[DatasetError], path: Path) -> None:
    assert str(path) in str(error.value), str(error.value)


# ----------------------------------------------------------------------------------------------
# The bundled MNIST


@pytest.fixture(scope="module")
def mnist() -> Dataset:
    return load_dataset("mnist")


def test_mnist_has_the_books_split(mnist: Dataset) -> None:
    assert mnist.name == "mnist"
    assert (mnist.n_inputs, mnist.n_outputs) == (784, 10)
    assert not mnist.validation_is_test
    for split, m in ((mnist.train, 50_000), (mnist.validation, 10_000), (mnist.test, 10_000)):
        assert isinstance(split, Split)
        assert len(split) == m
        assert split.x.shape == (m, 784) and split.x.dtype == np.float32
        assert split.y.shape == (m, 10) and split.y.dtype == np.float32
        assert split.labels.shape == (m,) and split.labels.dtype == np.int64
        np.testing.assert_array_equal(split.y.argmax(axis=1), split.labels)
        np.testing.assert_array_equal(split.y.sum(axis=1), 1)
    assert mnist.train.labels[0] == 5
    assert mnist.test.labels[0] == 7
    assert list(mnist.train.labels[:5]) == [5, 0, 4, 1, 9]


def test_mnist_pixels_are_bytes_over_256(mnist: Dataset) -> None:
    x = mnist.train.x
    assert x.min() == 0.0 and x.max() == np.float32(255 / 256)
    np.testing.assert_array_equal(x[:100] * 256, np.rint(x[:100] * 256))


def test_validating_on_test_frees_all_60000_training_images(mnist: Dataset) -> None:
    data = load_dataset("mnist", validate_on="test")
    assert data.validation_is_test
    assert len(data.train) == 60_000
    np.testing.assert_array_equal(data.validation.labels, mnist.test.labels)
    # The book's validation set is the last 10,000 of the training file.
    np.testing.assert_array_equal(data.train.x[50_000:], mnist.validation.x)
    np.testing.assert_array_equal(data.train.labels[:50_000], mnist.train.labels)


def test_train_size_takes_the_first_images(mnist: Dataset) -> None:
    data = load_dataset("mnist", train_size=1000, dtype="float64")
    assert data.train.x.shape == (1000, 784) and data.train.x.dtype == np.float64
    assert data.test.y.dtype == np.float64
    np.testing.assert_array_equal(data.train.x, mnist.train.x[:1000])
    assert len(data.validation) == 10_000


@pytest.mark.parametrize(("validate_on", "maximum"), [("validation", "50,000"), ("test", "60,000")])
def test_train_size_too_large_says_the_maximum(validate_on: str, maximum: str) -> None:
    with pytest.raises(DatasetError, match=maximum):
        load_dataset("mnist", train_size=60_001, validate_on=validate_on)


def test_mnist_from_data_dir_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(load_dataset("mnist", data_dir=REPO_MNIST, train_size=10).train) == 10
    monkeypatch.setenv("NNTUI_DATA_DIR", str(REPO_MNIST.parent))  # files in its mnist/ subfolder
    assert len(load_dataset("mnist", train_size=10).train) == 10


def test_a_wrong_data_dir_is_reported_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist", data_dir=tmp_path)
    assert_error_names(error, tmp_path)
    assert "train-images-idx3-ubyte" in str(error.value)
    monkeypatch.setenv("NNTUI_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DatasetError, match="NNTUI_DATA_DIR") as error:
        load_dataset("mnist")
    assert_error_names(error, tmp_path / "nowhere")


def test_missing_mnist_lists_every_place_and_the_remedy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NNTUI_DATA_DIR", raising=False)
    packaged, repository = tmp_path / "site-packages", tmp_path / "repo"
    make_idx_folder(repository)
    (file_of(repository, "t10k-labels")).unlink()
    monkeypatch.setattr(mnist_module, "packaged_mnist_dir", lambda: packaged)
    monkeypatch.setattr(mnist_module, "repository_mnist_dir", lambda: repository)
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist")
    message = str(error.value)
    assert str(packaged) in message and str(repository) in message
    assert "t10k-labels-idx1-ubyte" in message
    assert "reinstall nntui" in message and "NNTUI_DATA_DIR" in message


# ----------------------------------------------------------------------------------------------
# Fashion-MNIST


@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="dataset-fashion-mnist is not installed")
def test_fashion_mnist_from_the_debian_package() -> None:
    data = load_dataset("fashion-mnist", train_size=100)
    assert data.train.x.shape == (100, 784)
    assert (len(data.validation), len(data.test)) == (10_000, 10_000)
    assert data.n_outputs == 10


def test_missing_fashion_mnist_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NNTUI_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist_module, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "absent")
    with pytest.raises(DatasetError, match="apt-get install dataset-fashion-mnist") as error:
        load_dataset("fashion-mnist")
    assert_error_names(error, tmp_path / "absent")


def test_fashion_mnist_under_the_data_dir(tmp_path: Path) -> None:
    make_idx_folder(tmp_path / "fashion-mnist")
    assert len(load_dataset("fashion-mnist", data_dir=tmp_path).test) == 12


def test_the_data_sets_offered_are_those_whose_files_are_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NNTUI_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist_module, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "absent")
    assert available_datasets() == tuple(n for n in DATASET_NAMES if n != "fashion-mnist")
    assert "apt-get install dataset-fashion-mnist" in (dataset_problem("fashion-mnist") or "")
    make_idx_folder(tmp_path / "fashion-mnist")
    monkeypatch.setattr(mnist_module, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "fashion-mnist")
    assert available_datasets() == DATASET_NAMES
    for toy in ("circle", "xor", "gauss", "spiral", "neuron"):
        assert dataset_problem(toy) is None


def test_a_folder_s_problem_is_found_without_reading_it(tmp_path: Path) -> None:
    assert "no such folder" in (dataset_problem(str(tmp_path / "nowhere")) or "")
    (tmp_path / "file").write_text("x")
    assert "is a file, not a folder" in (dataset_problem(str(tmp_path / "file")) or "")
    assert "missing" in (dataset_problem(str(tmp_path)) or "")
    make_idx_folder(tmp_path / "idx")
    assert dataset_problem(str(tmp_path / "idx")) is None
    assert dataset_problem(str(REPO_MNIST)) is None


# ----------------------------------------------------------------------------------------------
# Any MNIST-format folder, and the IDX format itself


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_round_trip(tmp_path: Path, gz: bool) -> None:
    arrays = make_idx_folder(tmp_path, gz=gz)
    data = load_dataset(str(tmp_path))
    # 30 training images: fewer than 20,000, so the last sixth (5) is held back for validation.
    assert (len(data.train), len(data.validation), len(data.test)) == (25, 5, 12)
    assert data.n_inputs == 16
    images = arrays["train-images-idx3-ubyte"].reshape(30, 16)
    np.testing.assert_array_equal(data.train.x * 256, images[:25])
    np.testing.assert_array_equal(data.validation.x * 256, images[25:])
    np.testing.assert_array_equal(data.train.labels, arrays["train-labels-idx1-ubyte"][:25])
    np.testing.assert_array_equal(data.test.labels, arrays["t10k-labels-idx1-ubyte"])
    on_test = load_dataset(str(tmp_path), validate_on="test", train_size=30)
    assert len(on_test.train) == 30 and on_test.validation_is_test


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "plain-name", array, compress=True)
    write_idx(tmp_path / "looks.gz", array, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-name"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "looks.gz"), array)


def test_parse_idx_reads_the_format_as_specified() -> None:
    header = struct.pack(">I", 0x00000803) + struct.pack(">III", 2, 2, 3)
    array = parse_idx(header + bytes(range(12)))
    assert array.shape == (2, 2, 3) and array.dtype == np.uint8
    assert array[1, 1, 2] == 11
    labels = parse_idx(struct.pack(">II", 0x00000801, 3) + bytes([7, 2, 1]))
    assert list(labels) == [7, 2, 1]
    assert idx_bytes(array) == header + bytes(range(12))


def test_dotted_file_names_are_found(tmp_path: Path) -> None:
    make_idx_folder(tmp_path, gz=False)
    for stem in FILE_STEMS.values():
        (tmp_path / stem).rename(tmp_path / stem.replace("-idx", ".idx"))
    assert len(load_dataset(str(tmp_path)).test) == 12


def test_decoded_files_are_cached_until_they_change(tmp_path: Path) -> None:
    make_idx_folder(tmp_path)
    folder = find_idx_files(tmp_path)
    first = read_idx_folder(folder)
    assert read_idx_folder(folder) is first
    assert not first.train_images.flags.writeable
    labels = file_of(tmp_path, "t10k-labels")
    write_idx(labels, np.zeros(12, dtype=np.uint8))
    os.utime(labels, ns=(0, labels.stat().st_mtime_ns + 1_000_000_000))
    again = read_idx_folder(folder)
    assert again is not first and again.test_labels.sum() == 0


# ----------------------------------------------------------------------------------------------
# Every bad file gives a DatasetError that names it


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as error:
        find_idx_files(tmp_path / "absent")
    assert_error_names(error, tmp_path / "absent")


def test_missing_file_in_folder(tmp_path: Path) -> None:
    make_idx_folder(tmp_path)
    file_of(tmp_path, "train-labels").unlink()
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, tmp_path)


def test_missing_file_named_directly(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found") as error:
        read_idx(tmp_path / "nothing.gz")
    assert_error_names(error, tmp_path / "nothing.gz")


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_file(tmp_path: Path, gz: bool) -> None:
    make_idx_folder(tmp_path, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    data = path.read_bytes()[:-10]
    if gz:
        path.unlink()
        path = tmp_path / "train-images-idx3-ubyte.gz"
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    with pytest.raises(DatasetError, match="truncated") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, path)


def test_file_shorter_than_its_header(tmp_path: Path) -> None:
    path = tmp_path / "header-only"
    path.write_bytes(struct.pack(">I", 0x00000803) + b"\x00\x00")
    with pytest.raises(DatasetError, match="truncated") as error:
        read_idx(path)
    assert_error_names(error, path)


def test_file_longer_than_its_header(tmp_path: Path) -> None:
    path = tmp_path / "too-long"
    path.write_bytes(idx_bytes(np.zeros(3, dtype=np.uint8)) + b"extra")
    with pytest.raises(DatasetError, match="longer") as error:
        read_idx(path)
    assert_error_names(error, path)


@pytest.mark.parametrize("content", [b"<html>Not Found</html>", b"\x00\x00", b"\x00\x00\x0d\x01"])
def test_bad_magic(tmp_path: Path, content: bytes) -> None:
    make_idx_folder(tmp_path, gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(content + bytes(64))
    with pytest.raises(DatasetError) as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, path)


@pytest.mark.parametrize("damage", ["garbage", "cut short"])
def test_corrupt_gzip(tmp_path: Path, damage: str) -> None:
    make_idx_folder(tmp_path)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    good = path.read_bytes()
    path.write_bytes(good[:2] + b"garbage" * 10 if damage == "garbage" else good[: len(good) // 2])
    with pytest.raises(DatasetError, match="corrupt gzip") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, path)


def test_image_and_label_counts_must_agree(tmp_path: Path) -> None:
    make_idx_folder(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(labels, np.zeros(29, dtype=np.uint8))
    with pytest.raises(DatasetError, match="29 labels") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, labels)
    assert_error_names(error, tmp_path / "train-images-idx3-ubyte.gz")


def test_labels_must_be_digits(tmp_path: Path) -> None:
    make_idx_folder(tmp_path)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    bad = np.zeros(12, dtype=np.uint8)
    bad[7] = 10
    write_idx(labels, bad)
    with pytest.raises(DatasetError, match="label 10 at position 7") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, labels)


def test_image_sizes_must_agree(tmp_path: Path) -> None:
    make_idx_folder(tmp_path)
    test_images = tmp_path / "t10k-images-idx3-ubyte.gz"
    write_idx(test_images, np.zeros((12, 5, 5), dtype=np.uint8))
    with pytest.raises(DatasetError, match="4x4") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, test_images)


def test_labels_where_images_belong(tmp_path: Path) -> None:
    make_idx_folder(tmp_path)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    write_idx(images, np.zeros(30, dtype=np.uint8))
    with pytest.raises(DatasetError, match="should hold images") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, images)


# ----------------------------------------------------------------------------------------------
# The 2-D sets


SHAPES = ["circle", "xor", "gauss", "spiral"]


@pytest.mark.parametrize("name", SHAPES)
def test_synthetic_shapes_and_classes(name: str) -> None:
    data = load_dataset(name)
    assert (data.n_inputs, data.n_outputs) == (2, 2)
    assert (len(data.train), len(data.validation), len(data.test)) == (1000, 500, 500)
    for split in (data.train, data.validation, data.test):
        assert split.x.dtype == np.float32 and split.x.shape[1] == 2
        assert split.labels.dtype == np.int64
        assert set(np.unique(split.labels)) == {0, 1}
        np.testing.assert_array_equal(split.y.argmax(axis=1), split.labels)
        assert np.abs(split.x).max() < 1.2
    assert not np.array_equal(data.train.x[:500], data.validation.x)
    assert not np.array_equal(data.validation.x, data.test.x)


@pytest.mark.parametrize("name", SHAPES)
def test_synthetic_sets_are_deterministic_per_seed(name: str) -> None:
    a = load_dataset(name, seed=3, dtype="float64")
    b = load_dataset(name, seed=3, dtype="float64")
    c = load_dataset(name, seed=4, dtype="float64")
    for split in ("train", "validation", "test"):
        np.testing.assert_array_equal(getattr(a, split).x, getattr(b, split).x)
        np.testing.assert_array_equal(getattr(a, split).labels, getattr(b, split).labels)
        assert not np.array_equal(getattr(a, split).x, getattr(c, split).x)


def test_training_size_leaves_validation_and_test_alone() -> None:
    small = load_dataset("spiral", train_size=200)
    large = load_dataset("spiral", train_size=5000)
    assert (len(small.train), len(large.train)) == (200, 5000)
    np.testing.assert_array_equal(small.validation.x, large.validation.x)
    np.testing.assert_array_equal(small.test.x, large.test.x)


def test_noise_free_circle_is_cleanly_separated() -> None:
    data = load_dataset("circle", noise=0.0, dtype="float64")
    radius = np.hypot(data.train.x[:, 0], data.train.x[:, 1])
    assert radius[data.train.labels == 1].max() <= 0.5
    assert radius[data.train.labels == 0].min() >= 0.7


def test_noise_free_xor_follows_the_quadrants() -> None:
    data = load_dataset("xor", noise=0.0)
    same_sign = data.train.x[:, 0] * data.train.x[:, 1] > 0
    np.testing.assert_array_equal(same_sign, data.train.labels == 1)


def test_noise_moves_points() -> None:
    calm = load_dataset("gauss", noise=0.0)
    windy = load_dataset("gauss", noise=1.0)
    assert windy.train.x.std() > calm.train.x.std()
    with pytest.raises(DatasetError, match="between 0 and 1"):
        load_dataset("gauss", noise=1.5)


def test_validating_on_test_for_synthetic_sets() -> None:
    data = load_dataset("xor", validate_on="test")
    assert data.validation_is_test and data.validation is data.test


# ----------------------------------------------------------------------------------------------
# The single neuron


def test_neuron() -> None:
    data = load_dataset("neuron", dtype="float64")
    assert (data.n_inputs, data.n_outputs) == (1, 1)
    for split in (data.train, data.validation, data.test):
        assert split.x.tolist() == [[1.0]] and split.y.tolist() == [[0.0]]
        assert split.labels.tolist() == [0] and split.x.dtype == np.float64
    with pytest.raises(DatasetError, match="exactly 1"):
        load_dataset("neuron", train_size=2)


# ----------------------------------------------------------------------------------------------
# Arguments


def test_names_are_the_published_ones() -> None:
    assert DATASET_NAMES == ("mnist", "fashion-mnist", "circle", "xor", "gauss", "spiral", "neuron")


def test_unknown_name_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as error:
        load_dataset("cifar-10")
    message = str(error.value)
    assert all(name in message for name in DATASET_NAMES)
    assert "folder" in message


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(b"")
    with pytest.raises(DatasetError, match="not a folder"):
        load_dataset(str(path))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"validate_on": "train"}, "validate_on"),
        ({"dtype": "float16"}, "dtype"),
        ({"train_size": -1}, "positive"),
        ({"train_size": 2.5}, "whole number"),
    ],
)
def test_bad_arguments(arguments: dict, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset("xor", **arguments)


# ----------------------------------------------------------------------------------------------
# Folders that hold no usable images, or that we may not read


@pytest.mark.parametrize(("n_train", "n_test", "validate_on", "bad_file"), [
    (30, 0, "validation", "t10k-images-idx3-ubyte.gz"),
    (30, 0, "test", "t10k-images-idx3-ubyte.gz"),
    (0, 12, "test", "train-images-idx3-ubyte.gz"),
])
def test_a_split_without_images(tmp_path: Path, n_train: int, n_test: int, validate_on: str,
                                bad_file: str) -> None:
    make_idx_folder(tmp_path, n_train=n_train, n_test=n_test)
    with pytest.raises(DatasetError, match="holds no images") as error:
        load_dataset(str(tmp_path), validate_on=validate_on)
    assert_error_names(error, tmp_path / bad_file)


@pytest.mark.parametrize(("rows", "columns"), [(0, 28), (28, 0), (0, 0)])
def test_images_without_pixels(tmp_path: Path, rows: int, columns: int) -> None:
    # Consistent files, but a network trained on them would have no inputs.
    make_idx_folder(tmp_path)
    for stem, count in (("train", 30), ("t10k", 12)):
        write_idx(tmp_path / f"{stem}-images-idx3-ubyte.gz",
                  np.zeros((count, rows, columns), dtype=np.uint8))
    with pytest.raises(DatasetError, match=f"{rows}x{columns} pixels") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, tmp_path / "train-images-idx3-ubyte.gz")


def _deny(monkeypatch: pytest.MonkeyPatch, method: str, denied: Callable[[Path], bool]) -> None:
    """Make Path.<method> raise PermissionError for the paths ``denied`` picks, as it does for a
    user without access (tests run as root, whom permission bits do not stop)."""
    original = getattr(Path, method)

    def guarded(self: Path, *args, **kwargs):
        if denied(self):
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, guarded)


def test_a_folder_we_may_not_look_into(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "digits"
    make_idx_folder(folder)
    _deny(monkeypatch, "stat", lambda path: path.parent == folder)  # as after chmod 0 folder
    with pytest.raises(DatasetError, match="permission denied") as error:
        load_dataset(str(folder))
    assert_error_names(error, folder)
    assert "chmod u+rx" in str(error.value)


def test_a_folder_inside_one_we_may_not_look_into(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked" / "digits"
    make_idx_folder(folder)
    _deny(monkeypatch, "stat", lambda path: tmp_path / "locked" in path.parents)
    with pytest.raises(DatasetError, match="permission denied") as error:
        load_dataset(str(folder))
    assert_error_names(error, tmp_path / "locked")


def test_a_file_we_may_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_idx_folder(tmp_path)
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    _deny(monkeypatch, "read_bytes", lambda path: path == labels)  # as after chmod 0 file
    with pytest.raises(DatasetError, match="permission denied") as error:
        load_dataset(str(tmp_path))
    assert_error_names(error, labels)
    assert "chmod u+r" in str(error.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads regardless of permission bits; the "
                                              "simulated tests above cover this case")
def test_a_folder_without_permissions_for_real(tmp_path: Path) -> None:
    folder = tmp_path / "digits"
    make_idx_folder(folder)
    folder.chmod(0)
    try:
        with pytest.raises(DatasetError, match="permission denied") as error:
            load_dataset(str(folder))
    finally:
        folder.chmod(0o755)
    assert_error_names(error, folder)
