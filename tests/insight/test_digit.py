"""Preparing a drawing as MNIST's digits were made, the pen and its undo, and the network's
answer with its bars."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.datasets import load_dataset
from nntui.engine import Network
from nntui.insight.digit import (
    BOX,
    FIELD,
    BlankImage,
    Canvas,
    answer,
    centre_of_mass,
    check_image_network,
    fit_box,
    prepare,
)


def ink_extent(image: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.mark.parametrize(("shape", "box"), [((28, 28), (slice(2, 9), slice(1, 6))),
                                            ((28, 28), (slice(5, 26), slice(20, 27))),
                                            ((300, 200), (slice(40, 260), slice(10, 190))),
                                            ((12, 40), (slice(3, 9), slice(0, 40)))])
def test_a_block_anywhere_is_scaled_to_the_box_and_centred(shape, box):
    image = np.zeros(shape)
    image[box] = 1.0
    prepared = prepare(image)
    assert prepared.shape == (FIELD, FIELD)
    y, x = centre_of_mass(prepared)
    assert abs(y - 14) <= 0.5 and abs(x - 14) <= 0.5
    height, width = ink_extent(prepared, threshold=0.5)
    assert max(height, width) in (BOX - 1, BOX, BOX + 1)  # the box, give or take a grey edge
    source = (box[0].stop - box[0].start) / (box[1].stop - box[1].start)
    assert height / width == pytest.approx(source, rel=0.25)  # the aspect ratio is kept


def test_grey_levels_are_mnists_bytes_and_edges_are_grey():
    canvas = Canvas()
    canvas.begin(4.5, 4.5)
    canvas.line_to(20.5, 9.5)
    prepared = prepare(canvas.pixels)
    assert 0.9 < prepared.max() <= 255 / 256 and prepared.min() == 0
    assert np.allclose(prepared * 256, np.rint(prepared * 256))  # whole grey levels
    levels = np.unique(prepared[prepared > 0])
    assert ((levels > 0.05) & (levels < 0.9)).sum() >= 10  # anti-aliased: many greys between


def test_a_long_side_shrunk_keeps_a_thin_line_as_grey_not_gaps():
    image = np.zeros((200, 200))
    image[:, 100] = image[100, :] = 1.0  # a cross of lines one pixel wide, shrunk ten times
    fitted = fit_box(image)
    assert fitted.shape == (BOX, BOX)
    column = fitted[:, BOX // 2 - 1 : BOX // 2 + 1].sum(axis=1)
    assert (column[:8] > 0.05).all() and (column[:8] < 0.3).all()  # grey, and no gaps


def test_mnists_own_digits_come_back_nearly_unchanged():
    digits = load_dataset("mnist", train_size=100).test.x[:100].reshape(-1, FIELD, FIELD)
    differences = [np.abs(prepare(digit) - digit).mean() for digit in digits]
    assert np.mean(differences) < 0.04  # the preparation is what MNIST's makers did


def test_blank_pictures_are_refused():
    with pytest.raises(BlankImage):
        prepare(np.zeros((28, 28)))
    with pytest.raises(BlankImage):
        prepare(np.full((10, 10), 0.05))  # faint paper is not ink


def test_the_pen_paints_a_soft_round_dot_and_undo_takes_strokes_back():
    canvas = Canvas()
    assert canvas.empty and not canvas.can_undo
    canvas.begin(10.5, 10.5)
    assert canvas.pixels[10, 10] == 1.0
    assert 0 < canvas.pixels[11, 11] < 1  # the pen's grey edge, on the diagonal
    assert canvas.pixels[10, 14] == 0
    first = canvas.pixels.copy()
    canvas.begin(3.5, 3.5)
    canvas.line_to(3.5, 20.5)
    assert (canvas.pixels[3, 4:20] == 1).all()  # the line between the points, not two dots
    assert canvas.undo()
    assert np.array_equal(canvas.pixels, first)
    assert canvas.clear() and canvas.empty
    assert canvas.undo() and np.array_equal(canvas.pixels, first)  # clearing is undone too
    assert canvas.undo() and canvas.empty and not canvas.undo()


def fixed(output: str) -> Network:
    network = Network([FIELD * FIELD, 3], output=output, dtype="float64")
    network.weights = [np.zeros((3, FIELD * FIELD))]
    network.biases = [np.array([1.0, 0.0, -1.0])]
    return network


def test_softmax_outputs_are_the_bars_as_they_are():
    said = answer(fixed("softmax"), np.zeros((FIELD, FIELD)))
    assert np.array_equal(said.shares, said.outputs) and not said.normalized
    assert said.shares.sum() == pytest.approx(1) and said.top == 0


def test_sigmoid_outputs_are_kept_and_normalized_for_the_bars():
    said = answer(fixed("sigmoid"), np.zeros((FIELD, FIELD)))
    sigma = 1 / (1 + np.exp(-np.array([1.0, 0.0, -1.0])))
    assert said.outputs == pytest.approx(sigma)
    assert said.shares == pytest.approx(sigma / sigma.sum())
    assert said.normalized and "divided by their sum" in said.how


def test_a_network_not_for_28_by_28_images_is_told_so():
    with pytest.raises(ValueError, match="takes 2 inputs, not the 784 pixels"):
        check_image_network(Network([2, 4, 2]))
    with pytest.raises(ValueError, match="single output"):
        check_image_network(Network([784, 1]))
