"""The digit's picture in plain half blocks and the answer's bars."""

from __future__ import annotations

import numpy as np

from nntui.insight.digit import Answer
from nntui.render.digit import answer_bars, bar, digit_text, mono_halfblock


def test_plain_half_blocks_show_each_pixel_pair():
    image = np.array([[1, 0, 1, 0], [1, 1, 0, 0], [0.6, 0, 0, 0]])
    assert mono_halfblock(image) == "█▄▀ \n▀   "
    assert digit_text(np.zeros((28, 28)), colour=False).plain.count("\n") == 13


def test_bars_are_as_long_as_their_share_to_an_eighth():
    assert bar(1.0, 10) == "█" * 10
    assert bar(0.5, 10) == "█" * 5 + " " * 5
    assert bar(0.0625, 2) == "▏ "
    assert bar(0.0, 3) == "   "


def test_answer_bars_fit_their_width_and_show_raw_outputs_when_normalized():
    outputs = np.array([0.9, 0.3, 0.1])
    said = Answer(outputs=outputs, shares=outputs / outputs.sum(), output="sigmoid")
    lines = answer_bars(said, ("T-shirt/top", "Bag", "Coat"), 40).plain.splitlines()
    assert len(lines) == 3 and all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("T-shirt/top █") and "69.2%" in lines[0] and "a  0.900" in lines[0]
    soft = Answer(outputs=np.array([0.25, 0.75]), shares=np.array([0.25, 0.75]), output="softmax")
    assert " a " not in answer_bars(soft, ("0", "1"), 30).plain
