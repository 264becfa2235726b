"""The half-block renderer: exact characters and colours for tiny known images, and the colour
maps at their fixed points."""

from __future__ import annotations

import time

import numpy as np
import pytest
from rich.color import ColorTriplet
from rich.console import Console

from nntui.render.halfblock import (
    CLASS_COLOURS,
    DIVERGING_STOPS,
    FIELD_STOPS,
    UPPER_HALF,
    diverging_rgb,
    field_rgb,
    grey_rgb,
    put_points,
    render_lines,
    scale_rgb,
    side_by_side,
    to_text,
)


def colours(segment) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    style = segment.style
    return (tuple(style.color.get_truecolor()), tuple(style.bgcolor.get_truecolor()))


def test_a_two_by_two_image_is_two_cells_of_upper_half_blocks():
    rgb = np.array([[[255, 0, 0], [0, 255, 0]],
                    [[0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    lines = render_lines(rgb)
    assert len(lines) == 1
    assert [s.text for s in lines[0]] == [UPPER_HALF, UPPER_HALF]
    assert colours(lines[0][0]) == ((255, 0, 0), (0, 0, 255))  # top red over bottom blue
    assert colours(lines[0][1]) == ((0, 255, 0), (10, 20, 30))


def test_an_odd_last_row_is_drawn_over_black_and_equal_cells_share_a_segment():
    rgb = np.zeros((3, 3, 3), dtype=np.uint8)
    rgb[0] = [200, 200, 200]
    rgb[1] = [50, 50, 50]
    rgb[2, :2] = [255, 255, 255]
    lines = render_lines(rgb)
    assert len(lines) == 2
    assert [s.text for s in lines[0]] == [UPPER_HALF * 3]  # three equal cells, one segment
    assert colours(lines[0][0]) == ((200, 200, 200), (50, 50, 50))
    assert [s.text for s in lines[1]] == [UPPER_HALF * 2, UPPER_HALF]
    assert colours(lines[1][0]) == ((255, 255, 255), (0, 0, 0))
    assert colours(lines[1][1]) == ((0, 0, 0), (0, 0, 0))
    assert all(sum(len(s.text) for s in line) == 3 for line in lines)


def test_one_style_per_distinct_pair_of_colours():
    rgb = np.zeros((2, 4, 3), dtype=np.uint8)
    rgb[0, ::2] = [9, 9, 9]  # alternating cells: no merging, but only two pairs of colours
    lines = render_lines(rgb)
    assert len(lines[0]) == 4
    assert lines[0][0].style is lines[0][2].style
    assert lines[0][1].style is lines[0][3].style
    assert lines[0][0].style is not lines[0][1].style


def test_grey_levels_of_a_digit():
    values = np.array([[0.0, 0.5], [1.0, 2.0]])
    rgb = grey_rgb(values)
    assert rgb[..., 0].tolist() == [[0, 128], [255, 255]]  # 2.0 is clipped to white
    assert (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all()
    digit = np.linspace(0, 1, 28 * 28).reshape(28, 28)
    lines = render_lines(grey_rgb(digit))
    assert len(lines) == 14 and all(sum(len(s.text) for s in line) == 28 for line in lines)


def test_diverging_colours_at_minus_zero_and_plus():
    rgb = diverging_rgb(np.array([[-2.0, 0.0, 2.0, 1.0]]))
    stops = dict(DIVERGING_STOPS)
    assert tuple(rgb[0, 0]) == stops[-1.0]
    assert tuple(rgb[0, 1]) == stops[0.0]
    assert tuple(rgb[0, 2]) == stops[1.0]
    halfway = np.rint((np.array(stops[0.0]) + np.array(stops[1.0])) / 2)
    assert tuple(rgb[0, 3]) == tuple(halfway.astype(int))
    assert tuple(diverging_rgb(np.array([[5.0]]), limit=10.0)[0, 0]) == tuple(halfway)
    assert (diverging_rgb(np.zeros((2, 2))) == np.array(stops[0.0], dtype=np.uint8)).all()


def test_field_colours_say_class_zero_boundary_and_class_one():
    rgb = field_rgb(np.array([[0.0, 0.5, 1.0]]))
    assert [tuple(c) for c in rgb[0]] == [c for _, c in FIELD_STOPS]
    scale = scale_rgb(3)
    assert scale.shape == (2, 3, 3)
    assert [tuple(c) for c in scale[0]] == [c for _, c in FIELD_STOPS]


def test_points_are_painted_in_their_class_colours_and_outside_ones_skipped():
    base = np.zeros((2, 2, 3), dtype=np.uint8)
    out = put_points(base, np.array([0, 1, 5]), np.array([1, 0, 0]), np.array([0, 1, 1]))
    assert tuple(out[0, 1]) == CLASS_COLOURS[0]
    assert tuple(out[1, 0]) == CLASS_COLOURS[1]
    assert tuple(out[0, 0]) == (0, 0, 0) and (base == 0).all()


def test_text_prints_the_same_cells_in_truecolor():
    rgb = np.array([[[255, 0, 0]], [[0, 0, 255]]], dtype=np.uint8)
    text = to_text(rgb)
    assert text.plain == UPPER_HALF
    console = Console(color_system="truecolor", force_terminal=True, width=10)
    with console.capture() as capture:
        console.print(text)
    out = capture.get()
    assert "38;2;255;0;0" in out and "48;2;0;0;255" in out
    span = text.spans[0]
    assert span.style.color.triplet == ColorTriplet(255, 0, 0)


def test_side_by_side_leaves_a_gap_and_pads_the_shorter_image():
    a = np.full((2, 1, 3), 100, dtype=np.uint8)
    b = np.full((1, 2, 3), 200, dtype=np.uint8)
    out = side_by_side([a, b], gap=1)
    assert out.shape == (2, 4, 3)
    assert out[:, 0, 0].tolist() == [100, 100]
    assert out[:, 1, 0].tolist() == [0, 0]
    assert out[:, 2, 0].tolist() == [200, 0]


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.zeros((2, 2, 3), dtype=np.float64)])
def test_bad_images_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="expected"):
        render_lines(bad)


def test_a_range_must_be_rising():
    with pytest.raises(ValueError, match="lo < hi"):
        grey_rgb(np.zeros((1, 1)), lo=1.0, hi=1.0)


def test_a_page_of_twelve_digits_builds_one_style_per_pair_of_colours():
    """Not a timing assertion (the machine is shared): the page is drawn with exactly one style
    per distinct (upper, lower) pair of colours of each digit; the time is printed for the
    record (benchmarks/bench_inspect.py measures it)."""
    rng = np.random.default_rng(0)
    digits = [np.where(rng.random((28, 28)) < 0.7, 0.0, rng.random((28, 28))) for _ in range(12)]
    began = time.perf_counter()
    pages = [render_lines(grey_rgb(d)) for d in digits]
    print(f"12 digits in {1000 * (time.perf_counter() - began):.1f} ms")
    for digit, lines in zip(digits, pages, strict=True):
        level = grey_rgb(digit)[..., 0].astype(int)
        pairs = {(int(top), int(bottom)) for top, bottom
                 in zip(level[0::2].ravel(), level[1::2].ravel(), strict=True)}
        styles = {id(segment.style) for line in lines for segment in line}
        assert len(styles) == len(pairs)
        assert len(lines) == 14
