"""Reading a picture of a digit: PNG and PGM, any size, dark on light or light on dark, with
transparency, and a clear error for every picture that cannot be read as ink."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nntui.datasets import DatasetError
from nntui.datasets.image import ImageError, read_ink


def stroke(height: int, width: int) -> np.ndarray:
    """A thick diagonal stroke: 1 on the stroke, 0 elsewhere."""
    rows, cols = np.indices((height, width))
    return (np.abs(rows / height - cols / width) < 0.08).astype(np.float64) * (
        (rows > height // 5) & (rows < 4 * height // 5))


def save(path: Path, grey: np.ndarray, **options) -> Path:
    Image.fromarray(np.rint(grey * 255).astype(np.uint8)).save(path, **options)
    return path


@pytest.mark.parametrize("size", [(28, 28), (300, 180), (17, 60)])
def test_dark_on_light_and_light_on_dark_png_give_the_same_ink(tmp_path, size):
    ink = stroke(*size)
    dark = read_ink(save(tmp_path / "dark.png", 1.0 - 0.8 * ink))  # grey pencil on white
    light = read_ink(save(tmp_path / "light.png", ink))
    assert dark.shape == light.shape == size
    assert np.allclose(dark, ink, atol=0.01) and np.allclose(light, ink, atol=0.01)


def test_binary_and_plain_pgm(tmp_path):
    ink = stroke(40, 30)
    binary = read_ink(save(tmp_path / "digit.pgm", 1.0 - ink))
    assert np.allclose(binary, ink, atol=0.01)
    plain = tmp_path / "plain.pgm"
    plain.write_text("P2\n# a 3 x 3 plus\n3 3\n15\n15 0 15\n0 0 0\n15 0 15\n")
    assert read_ink(plain).tolist() == [[0, 1, 0], [1, 1, 1], [0, 1, 0]]


def test_transparency_is_paper(tmp_path):
    ink = stroke(50, 50)
    rgba = np.zeros((50, 50, 4), dtype=np.uint8)
    rgba[..., 3] = np.rint(ink * 255).astype(np.uint8)  # black strokes on nothing
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "clear.png")
    assert np.allclose(read_ink(tmp_path / "clear.png"), ink, atol=0.01)


def test_sixteen_bit_and_colour_pictures(tmp_path):
    ink = stroke(30, 30)
    Image.fromarray(np.rint((1 - ink) * 65535).astype(np.uint16)).save(tmp_path / "deep.png")
    assert np.allclose(read_ink(tmp_path / "deep.png"), ink, atol=0.01)
    rgb = np.repeat(np.rint((1 - ink) * 255).astype(np.uint8)[..., None], 3, axis=2)
    rgb[..., 2] = 255 - (ink * 100).astype(np.uint8)  # blue ink on white paper
    Image.fromarray(rgb).save(tmp_path / "blue.png")
    assert np.array_equal(read_ink(tmp_path / "blue.png") > 0.5, ink > 0.5)


def test_every_unreadable_picture_says_what_is_wrong(tmp_path):
    cases = {
        tmp_path / "missing.png": "does not exist",
        tmp_path: "is not a file",
    }
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    cases[empty] = "is empty"
    text = tmp_path / "notes.png"
    text.write_text("a digit, I promise")
    cases[text] = "not a PNG or PGM picture"
    cut = tmp_path / "cut.png"
    save(tmp_path / "whole.png", stroke(64, 64))
    cut.write_bytes((tmp_path / "whole.png").read_bytes()[:80])
    cases[cut] = "could not be read"
    jpeg = tmp_path / "photo.jpg"
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(jpeg, format="JPEG")
    cases[jpeg] = "not a PNG or PGM picture"
    blank = save(tmp_path / "blank.png", np.full((20, 20), 0.7))
    cases[blank] = "is blank"
    for path, words in cases.items():
        with pytest.raises(ImageError, match=words) as caught:
            read_ink(path)
        assert str(path) in str(caught.value)
        assert isinstance(caught.value, DatasetError)
