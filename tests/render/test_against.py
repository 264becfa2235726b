"""A result against a hyperparameter, the figure: every point inside the frame at every size, round
ticks (powers of ten on a log axis), categories as they are, a legend only for a second field,
and what the terminal gets."""

from __future__ import annotations

import io
import itertools
import math
import re

import plotext
import pytest
from rich.console import Console
from textual_plotext.plot import Plot

from nntui.render import against
from nntui.render.against import AgainstAxis, AgainstFigure, round_label
from nntui.render.plots import Series

DOTS = re.compile("[\u2801-\u28ff●·•x+]")
"""What a line or a point is drawn with: the point marker, the line's dots, the plain markers (and
braille, which no line may use: plotext would put it a cell off the points)."""

LEARNING_RATES = AgainstFigure(
    AgainstAxis("η", log=True),
    [Series("", [0.025, 0.25, 2.5], [90.2, 95.9, 93.1])],
    [Series("", [0.025, 0.25, 2.5], [0.91, 0.48, 0.88])])

MORE_DATA = AgainstFigure(
    AgainstAxis("training images", log=True),
    [Series("expand=off", [1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0],
            [83.1, 86.9, 90.6, 92.8, 94.1, 95.4]),
     Series("expand=on", [1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0],
            [86.0, 89.2, 92.5, 94.4, 95.6, 96.6])],
    [Series("expand=off", [1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0],
            [0.004, 0.01, 0.04, 0.08, 0.12, 0.2]),
     Series("expand=on", [1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0],
            [0.02, 0.05, 0.09, 0.14, 0.18, 0.25])],
    held_out="test", left_out=["50,000 expand=on (diverged)"])

ACTIVATIONS = AgainstFigure(
    AgainstAxis("activation", categories=("sigmoid", "tanh", "relu")),
    [Series("", [0.0, 1.0, 2.0], [95.1, 96.0, 97.2])],
    [Series("", [0.0, 1.0, 2.0], [0.31, 0.22, 0.15])])

HIDDEN = AgainstFigure(
    AgainstAxis("hidden neurons"),
    [Series("", [30.0, 100.0], [96.5, 97.9])],
    [Series("", [30.0, 100.0], [0.42, 0.37])])

FIGURES = [LEARNING_RATES, MORE_DATA, ACTIVATIONS, HIDDEN]


def build(figure: AgainstFigure, quantity: str, width: int, height: int, **options) -> str:
    plt = Plot()
    against.draw(plt, figure, quantity, width=width, height=height, **options)
    plt.theme("clear")
    return plotext.uncolorize(plt.build())


def assert_inside(canvas: str, width: int, height: int) -> None:
    """Every dot and point strictly inside the frame, and no line wider than the plot."""
    lines = canvas.rstrip("\n").split("\n")
    assert len(lines) <= height and all(len(line) <= width for line in lines)
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left, right = lines[top].index("┌"), lines[top].index("┐")
    drawn = 0
    for row, line in enumerate(lines[top + 1:bottom], top + 1):
        for match in DOTS.finditer(line[left + 1:right]):
            drawn += 1
            assert top < row < bottom, (row, match.start())
    for row in (*lines[:top], *lines[bottom + 1:]):  # no dot in the tick labels' lines
        assert not re.search("[\u2801-\u28ff●·]", row)
    assert drawn


def axis_labels(canvas: str) -> tuple[list[str], list[str]]:
    """The x tick labels (under the frame) and the y ones (left of ┤, never on neighbouring
    lines)."""
    lines = canvas.rstrip("\n").split("\n")
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    rows = [i for i, line in enumerate(lines[:bottom]) if "┤" in line]
    assert all(b - a >= 2 for a, b in itertools.pairwise(rows))
    return lines[bottom + 1].split(), [lines[i].split("┤")[0].strip() for i in rows]


# The panels' canvases in the app at 80×24 and 120×40 (side by side), ``--plot`` at 80 and 120
# columns, and a few sizes between and beyond.
SIZES = [(38, 19), (58, 34), (80, 14), (120, 14), (30, 8), (46, 12), (150, 30)]


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("plain", [False, True])
def test_every_point_lies_inside_the_frame(width: int, height: int, plain: bool) -> None:
    for figure, quantity in itertools.product(FIGURES, (against.ACCURACY, against.COST)):
        assert_inside(build(figure, quantity, width, height, plain=plain), width, height)


def test_a_log_axis_is_ticked_at_powers_of_ten_or_round_values_between() -> None:
    x, _ = axis_labels(build(LEARNING_RATES, against.ACCURACY, 80, 14))
    assert x == ["0.01", "0.1", "1", "10"]
    x, _ = axis_labels(build(MORE_DATA, against.ACCURACY, 120, 14))
    assert x == ["1,000", "2,000", "5,000", "10,000", "20,000", "50,000"]
    x, _ = axis_labels(build(MORE_DATA, against.ACCURACY, 38, 19))  # fewer where they crowd
    assert 2 <= len(x) < 6 and all(label in ("1,000", "10,000", "2,000", "5,000", "20,000",
                                             "50,000", "100,000") for label in x)
    # The costs span nearly two decades: a log value axis at 1, 2 and 5 × 10ⁿ, read 0.01
    # rather than 1e-2.
    _, y = axis_labels(build(MORE_DATA, against.COST, 80, 20))
    assert len(y) >= 3 and all(re.fullmatch(r"0\.0*[125]", label) for label in y)
    assert "(log)" in against.titles(MORE_DATA, against.COST)[0]


def test_a_linear_axis_has_round_ticks_and_categories_their_names() -> None:
    canvas = build(HIDDEN, against.ACCURACY, 80, 14)
    x, y = axis_labels(canvas)
    values = [float(label) for label in x]
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1 and re.fullmatch(r"[125]0*", str(int(steps.pop())))
    assert values[0] <= 30 and values[-1] >= 100
    assert all(float(label) % 0.5 == 0 for label in y)
    assert "hidden neurons" in canvas and "log" not in canvas
    x, _ = axis_labels(build(ACTIVATIONS, against.ACCURACY, 80, 14))
    assert x == ["sigmoid", "tanh", "relu"]
    x, _ = axis_labels(build(ACTIVATIONS, against.ACCURACY, 20, 10))
    assert all(len(label) <= 5 for label in x)  # cut to the room each has


def test_categories_are_points_not_a_line() -> None:
    canvas = build(ACTIVATIONS, against.ACCURACY, 80, 14)
    assert canvas.count("●") == 3 and not re.search("[\u2801-\u28ff·]", canvas)


def test_each_point_sits_on_its_line() -> None:
    canvas = build(LEARNING_RATES, against.ACCURACY, 40, 16)
    lines = canvas.split("\n")
    points = [(row, col) for row, line in enumerate(lines) for col, char in enumerate(line)
              if char == "●"]
    assert len(points) == 3
    for row, col in points:  # the line's dots touch each point's cell
        around = [lines[r][c] for r in (row - 1, row, row + 1) for c in (col - 1, col + 1)
                  if 0 <= r < len(lines) and 0 <= c < len(lines[r])]
        assert "·" in around, (row, col)


def test_round_labels() -> None:
    assert [round_label(v) for v in (0.025, 2.5, 100.0, 1000.0, 50000.0, 10 ** math.log10(2000),
                                     1e-5, 2e6, 0.0)] == \
        ["0.025", "2.5", "100", "1,000", "50,000", "2,000", "1e-5", "2e6", "0"]


def test_the_legend_names_the_second_field_and_only_then() -> None:
    header = " ".join(line.plain for line in against.header_lines(MORE_DATA, against.ACCURACY,
                                                                   120))
    assert "Best test accuracy (%) against training images" in header
    assert "━ expand=off" in header and "━ expand=on" in header
    single = " ".join(line.plain for line in against.header_lines(LEARNING_RATES,
                                                                   against.COST, 120))
    assert single == "Final training cost against η"


def test_the_terminal_gets_both_panels_and_what_was_left_out() -> None:
    out = io.StringIO()
    against.plot_in_terminal(MORE_DATA, Console(file=out, width=80, soft_wrap=True))
    text = out.getvalue()
    assert "\x1b" not in text  # a file: plain, the lines told apart by their markers
    assert "• expand=off" in text and "x expand=on" in text
    assert text.count("training images (log scale)") == 2
    assert "Not drawn: 50,000 expand=on (diverged)." in text
    assert max(len(line) for line in text.splitlines()) <= 80
    out = io.StringIO()
    against.plot_in_terminal(LEARNING_RATES, Console(file=out, width=100, force_terminal=True,
                                                     color_system="truecolor"))
    assert "\x1b[" in out.getvalue() and "●" in out.getvalue()
