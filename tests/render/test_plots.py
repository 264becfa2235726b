"""The plots: round ticks, fixed colours, legends beside the title, and no point outside a frame."""

from __future__ import annotations

import io
import itertools
import math
import random
import re
from dataclasses import replace

import plotext
import pytest
from rich.console import Console
from textual_plotext.plot import Plot

from nntui.engine import EpochReport
from nntui.render import plots
from nntui.render.plots import Series

BRAILLE = re.compile("[\u2801-\u28ff]")


def is_one_two_five(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(math.isclose(mantissa, m) for m in (1, 2, 5))


def steps(values: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(values)]


# --- ticks --------------------------------------------------------------------------------------

def test_nice_ticks_are_round_and_labelled_with_few_digits() -> None:
    ticks = plots.nice_ticks(0.4156, 0.4548, 5)
    assert ticks.labels == ["0.42", "0.43", "0.44", "0.45"]
    assert ticks.lo <= 0.4156 and ticks.hi >= 0.4548
    assert plots.nice_ticks(0.0, 2.2, 5, bounds=(0, math.inf)).labels == [
        "0.0", "0.5", "1.0", "1.5", "2.0"]


@pytest.mark.parametrize("seed", range(200))
def test_nice_ticks_enclose_the_data_in_round_steps(seed: int) -> None:
    rng = random.Random(seed)
    lo = rng.uniform(-5, 5) * 10 ** rng.randint(-4, 3)
    hi = lo + rng.random() * 10 ** rng.randint(-6, 3)
    max_ticks = rng.randint(2, 9)
    ticks = plots.nice_ticks(lo, hi, max_ticks)
    assert ticks.lo <= lo and ticks.hi >= hi
    assert 1 <= len(ticks.values) <= max_ticks
    assert all(ticks.lo <= v <= ticks.hi for v in ticks.values)
    if len(ticks.values) > 1:
        gaps = steps(ticks.values)
        assert is_one_two_five(gaps[0])
        assert all(math.isclose(g, gaps[0], rel_tol=1e-6) for g in gaps)
    assert len(set(ticks.labels)) == len(ticks.labels)  # the digits tell them apart


def test_a_plateau_gets_a_sensible_span_and_percentages_stay_within_0_and_100() -> None:
    noise = plots.nice_ticks(0.50000, 0.50001, 5)
    assert noise.hi - noise.lo >= 0.05  # a tenth of the value, not a tenth of the noise
    for value in (0.0, 100.0, 50.0):  # e.g. a one-example set: every accuracy equal
        ticks = plots.nice_ticks(value, value, 3, min_span=5, bounds=(0, 100))
        assert 0 <= ticks.lo <= value <= ticks.hi <= 100
        assert ticks.hi - ticks.lo >= 5
        assert len(ticks.values) >= 2


def test_log_ticks_are_decades_enclosing_the_data() -> None:
    ticks = plots.log_ticks(2e-4, 0.3, 6)
    assert (ticks.lo, ticks.hi) == (-4, 0)
    assert ticks.labels == ["1e-4", "1e-3", "1e-2", "1e-1", "1e0"]
    crowded = plots.log_ticks(1e-12, 0.3, 4)
    assert (crowded.lo, crowded.hi) == (-12, 0)
    assert len(crowded.values) <= 4 and all(v == int(v) for v in crowded.values)



def test_a_log_axis_over_less_than_a_decade_spans_the_data_with_round_ticks() -> None:
    """The cost on Ctrl+L's log scale often stays within a decade: between two decade ticks it
    sat in a row or two with two labels."""
    ticks = plots.log_ticks(0.02, 0.05, 5)
    assert ticks.labels == ["0.02", "0.03", "0.04", "0.05"]
    assert math.log10(0.02) - 0.1 < ticks.lo < math.log10(0.02)
    assert math.log10(0.05) < ticks.hi < math.log10(0.05) + 0.1
    plateau = plots.log_ticks(0.38, 0.46, 4)  # Nielsen's cost at its floor
    assert plateau.labels == ["0.40", "0.45"] and plateau.lo > math.log10(0.35)
    assert plots.log_ticks(1.1e-4, 1.9e-4, 5).labels == ["1.2e-4", "1.4e-4", "1.6e-4", "1.8e-4"]
    assert plots.log_ticks(0.9, 9.5, 6).labels == ["1", "2", "5", "10"]  # not 1e-1 1e0 1e1


def test_epoch_ticks_are_whole_round_and_do_not_crowd() -> None:
    assert plots.epoch_ticks(1, 400, 36).labels == ["1", "100", "200", "300", "400"]
    assert plots.epoch_ticks(1, 400, 16).labels == ["1", "200", "400"]
    running = plots.epoch_ticks(0.01, 0.6, 30)  # the mini-batch curve of the first epoch
    assert running.labels == ["0", "1"]
    assert plots.epoch_ticks(1, 1, 30).labels == ["0", "1"]
    assert plots.epoch_ticks(1, 12, 40).labels == ["2", "4", "6", "8", "10", "12"]  # not 1 2 4
    for last in (3, 15, 50, 400, 3000):
        for width in (10, 20, 40, 80, 160):
            ticks = plots.epoch_ticks(1, last, width)
            assert all(v == int(v) for v in ticks.values)
            assert all(is_one_two_five(g) for g in steps(ticks.values)[1:])
            columns = [(v - ticks.lo) / (ticks.hi - ticks.lo) * (width - 1) for v in ticks.values]
            assert all(b - a >= len(label) + 1 for a, b, label in
                       zip(columns, columns[1:], ticks.labels[1:], strict=False))


# --- series and styles --------------------------------------------------------------------------

@pytest.fixture
def report(epoch_report):
    """Epoch ``epoch`` of ten: training figures unless ``train`` is False, a speed per layer."""

    def make(epoch: int, *, train: bool = True, layers: int = 3) -> EpochReport:
        return epoch_report(epoch, epochs=10, train_cost=1.0 / epoch if train else None,
                            train_accuracy=0.9 if train else None, val_cost=1.2 / epoch,
                            val_accuracy=0.8,
                            learning_speed=tuple(0.1 / (i + 1) for i in range(layers)))

    return make


def test_held_out_curves_are_labelled_by_the_set_and_coloured_by_role(report) -> None:
    history = [report(e) for e in range(1, 4)]
    cost = plots.cost_series(history, held_out="test")
    accuracy = plots.accuracy_series(history, held_out="test")
    assert [s.label for s in cost] == [s.label for s in accuracy] == ["training", "test"]
    assert plots.cost_series(history)[1].label == "validation"
    colors = [[st.color for st in plots.styles(series)] for series in (cost, accuracy)]
    assert colors[0] == colors[1] == [plots.TRAINING, plots.HELD_OUT]
    only_held_out = plots.cost_series([report(1, train=False)], held_out="test")
    assert [st.color for st in plots.styles(only_held_out)] == [plots.HELD_OUT]


def test_layers_get_distinct_colours_and_a_ninth_a_different_marker(report) -> None:
    palette = plots.PALETTE
    assert len(palette) == 8
    assert all(sum((a - b) ** 2 for a, b in zip(p, q, strict=True)) ** 0.5 > 60
               for i, p in enumerate(palette) for q in palette[i + 1:])
    speed = plots.speed_series([report(1, layers=10)])
    styles = plots.styles(speed)
    assert len({st.color for st in styles[:8]}) == 8  # five hidden layers: no shared colour
    assert styles[8].color == styles[0].color and styles[8].marker != styles[0].marker
    running = plots.styles([Series("mini-batch (this epoch)", [1], [1], "running")])[0]
    assert running.color not in (plots.TRAINING, plots.HELD_OUT)


# --- drawing ------------------------------------------------------------------------------------

def build(series: list[Series], width: int, height: int, **options) -> str:
    plt = Plot()
    plots.draw(plt, series, width=width, height=height, **options)
    plt.theme("clear")
    return plt.build()


SIZES = [(w, h) for w in (12, 22, 31, 46, 58, 80, 131) for h in (5, 9, 14, 25)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_no_curve_leaves_its_frame(long_run, assert_inside_frame, width: int, height: int) -> None:
    cost, speed = long_run()
    accuracy = [Series("training", [1.0, 2.0], [100.0, 100.0], "training")]
    for series, options in ((cost, {}), (cost, {"log": True}), (speed, {"log": True}),
                            (speed, {}), (accuracy, {"axis": plots.ACCURACY_AXIS})):
        assert_inside_frame(build(series, width, height, **options), width, height)


def tick_labels(canvas: str) -> tuple[list[str], list[str]]:
    """The x tick labels (the line under the frame) and the y ones (left of ┤), which must not
    sit on neighbouring lines."""
    lines = plotext.uncolorize(canvas).rstrip("\n").split("\n")
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    rows = [i for i, line in enumerate(lines[:bottom]) if "┤" in line]
    assert all(b - a >= 2 for a, b in itertools.pairwise(rows))
    return lines[bottom + 1].split(), [lines[i].split("┤")[0].strip() for i in rows]


def test_axes_show_every_tick_they_asked_for_as_round_numbers(long_run) -> None:
    cost, speed = long_run()
    for width, height in ((22, 9), (40, 12), (58, 17), (100, 30)):
        x, y = tick_labels(build(cost, width, height))
        epochs = [int(label) for label in x]  # whole epochs, though mini-batch x are fractional
        assert len(epochs) >= 2 and epochs[-1] == 400
        assert all(is_one_two_five(g) for g in steps(epochs)[1:])
        values = [float(label) for label in y]
        assert len(values) >= 2 and is_one_two_five(values[0] - values[1])
        assert all(len(label.partition(".")[2]) <= 1 for label in y)  # 0.5 steps: one decimal
        x, y = tick_labels(build(speed, width, height, log=True))
        assert all(re.fullmatch(r"1e-?\d+", label) for label in y)


def test_points_that_cannot_be_drawn_are_left_out(assert_inside_frame) -> None:
    series = [Series("training", [1.0, 2.0, 3.0, 4.0], [1.0, math.nan, math.inf, 0.0], "training")]
    canvas = build(series, 40, 12, log=True)  # 0 on a log axis, NaN and ∞ anywhere
    assert_inside_frame(canvas, 40, 12)
    assert "1e-10" in plotext.uncolorize(canvas)  # the axis reaches down to the 0, at 1e-12


def test_an_empty_plot_is_a_bare_frame() -> None:
    text = plotext.uncolorize(build([], 30, 8))
    assert "┌" in text and "┘" in text
    assert not re.search(r"[0-9\u2800-\u28ff]", text)


def test_curves_are_drawn_in_their_legend_colours(long_run) -> None:
    cost, _ = long_run()
    canvas = build(cost, 60, 15)
    for color in (plots.TRAINING, plots.HELD_OUT, plots.RUNNING):
        assert "38;2;{};{};{}m".format(*color) in canvas


def test_overlaid_runs_draw_the_first_on_top_where_curves_coincide() -> None:
    xs = [float(e) for e in range(1, 31)]
    same = [Series(f"run {k}", xs, [1.0 / e for e in xs], "overlay") for k in range(3)]
    first, *others = plots.styles(same)

    def colour(style: plots.Style) -> str:
        return "38;2;{};{};{}m".format(*style.color)

    on_top = build(same, 60, 15, first_on_top=True)
    assert colour(first) in on_top
    assert not any(colour(style) in on_top for style in others)
    underneath = build(same, 60, 15)  # one run alone: later curves are painted over earlier
    assert colour(first) not in underneath and colour(others[-1]) in underneath


def braille_rows(canvas: str, label: str) -> list[int]:
    """The dots (a bit mask per braille cell, unicode's order) on the line of tick ``label``."""
    line = next(line for line in plotext.uncolorize(canvas).split("\n")
                if line.split("┤")[0].strip() == label)
    return [ord(ch) - 0x2800 for ch in BRAILLE.findall(line)]


TOP_DOTS, BOTTOM_DOTS = 0x01 | 0x08, 0x40 | 0x80


def test_a_curve_on_a_bound_is_drawn_level_with_its_tick() -> None:
    """A braille cell is four dots tall and its tick label sits beside its middle: a training
    accuracy of 100 % was drawn in the top dots, above the 100 tick, and a cost of 0 below the 0
    tick."""
    xs = [float(e) for e in range(1, 41)]
    accuracy = [Series("training", xs, [min(100.0, 60 + e) for e in xs], "training")]
    canvas = build(accuracy, 40, 14, axis=plots.ACCURACY_AXIS)
    top = braille_rows(canvas, "100")
    assert top and not any(dots & TOP_DOTS and not dots & ~TOP_DOTS for dots in top)
    cost = [Series("training", xs, [max(0.0, 1 - e / 20) for e in xs], "training")]
    bottom = braille_rows(build(cost, 40, 14), "0.0")
    assert bottom and not any(dots & BOTTOM_DOTS and not dots & ~BOTTOM_DOTS for dots in bottom)


def test_an_epochs_first_running_costs_do_not_stretch_the_cost_axis() -> None:
    """The running mean of an epoch's first mini-batches (0.6 against an epoch cost of 0.41) is
    drawn, cut off at the frame, but the axis fits the rest."""
    xs = [float(e) for e in range(1, 10)]
    cost = [Series("training", xs, [0.4 + 0.01 / e for e in xs], "training"),
            Series("mini-batch (this epoch)", [9.01, 9.05, 9.2, 9.5, 9.8],
                   [0.6, 0.45, 0.42, 0.415, 0.412], "running", settle=9.1)]
    _, labels = tick_labels(build(cost, 40, 14))
    assert max(float(label) for label in labels) < 0.45
    unsettled = [cost[0], replace(cost[1], settle=-math.inf)]
    _, labels = tick_labels(build(unsettled, 40, 14))
    assert max(float(label) for label in labels) >= 0.6
    # Nothing but the running curve's first reports: they are all there is to show.
    alone = [Series("mini-batch (this epoch)", [0.01, 0.05], [2.3, 1.9], "running", settle=0.1)]
    _, labels = tick_labels(build(alone, 40, 14))
    assert max(float(label) for label in labels) > 2


def test_a_curve_hidden_under_another_is_named_in_the_legend() -> None:
    """Training and validation coincide on an easy set; plotext gives a cell one colour, so the
    validation curve painted last hides the training one."""
    xs = [float(e) for e in range(1, 41)]
    same = [Series("training", xs, [1 / e for e in xs], "training"),
            Series("validation", xs, [1 / e + 1e-4 for e in xs], "held-out")]
    marked = plots.mark_hidden(same)
    assert [s.under for s in marked] == ["validation", ""]
    lines = plots.header_lines(plots.PLAIN_COST_TITLES, marked, 80)
    assert "━ training (under validation)  ━ validation" in lines[0].plain
    narrow = plots.header_lines(plots.PLAIN_COST_TITLES, marked, 45)
    assert [line.plain for line in narrow] == ["Cost per epoch  ━ train (under val)  ━ val"]
    # Where "(under val)" would cost the legend a line (an 80×24 plot): "≈".
    tight = plots.header_lines(plots.PLAIN_COST_TITLES, marked, 22)
    assert [line.plain for line in tight] == ["Cost ━train≈val ━val"]
    apart = [same[0], replace(same[1], y=[1 / e + 0.5 for e in xs])]
    assert [s.under for s in plots.mark_hidden(apart)] == ["", ""]
    # Several runs put the first on top: a later run it covers is the hidden one.
    runs = [replace(s, role="overlay", label=f"η={k}") for k, s in enumerate(same)]
    assert [s.under for s in plots.mark_hidden(runs, first_on_top=True)] == ["", "η=0"]


def test_the_cost_title_names_a_regularization_term_only_where_there_is_one() -> None:
    assert plots.cost_titles([""]) == ("Cost per epoch", "Cost")
    assert plots.cost_titles(["L2"])[0] == "Cost per epoch (with the L2 term)"
    mixed = plots.cost_titles(["L2", ""])[0]
    assert mixed == "Cost per epoch (with each run's regularization term)"
    assert plots.overlay_titles("train_cost", terms=[""]) == ("Training cost per epoch",
                                                              "Training cost")
    assert plots.overlay_titles("val_cost", "test", ["L1"])[0] == \
        "Test cost per epoch (with the L1 term)"


def test_thinning_keeps_spikes_and_ends() -> None:
    y = [1.0] * 1000
    y[537], y[100] = 50.0, -3.0
    thinned = plots.thin(Series("cost", list(range(1000)), y), 60)
    assert len(thinned.x) <= 60 and thinned.x == sorted(thinned.x)
    assert (thinned.x[0], thinned.x[-1]) == (0, 999)
    assert 537 in thinned.x and 100 in thinned.x  # every k-th point would have missed both
    assert max(thinned.y) == 50.0 and min(thinned.y) == -3.0


# --- title and legend ---------------------------------------------------------------------------

@pytest.mark.parametrize("width", [16, 22, 30, 39, 46, 58, 80, 120])
def test_the_header_fits_and_keeps_a_whole_title(long_run, width: int) -> None:
    cost, speed = long_run()
    for titles, series in ((plots.COST_TITLES, cost), (plots.SPEED_TITLES, speed),
                           (plots.ACCURACY_TITLES, cost[:2]), (plots.COST_TITLES, [])):
        lines = plots.header_lines(plots.log_titles(titles, True), series, width)
        assert all(line.cell_len <= width for line in lines)
        text = " ".join(line.plain for line in lines)
        assert any(text.startswith(f"{title} (log)") for title in titles)
        for entry in plots.legend_entries(series, compact=2):
            assert entry.plain.removeprefix("━") in text  # every series, at least abbreviated
        assert len(lines) <= (1 if width >= 80 else 3)


def test_wide_headers_use_full_labels_and_narrow_ones_abbreviate(long_run) -> None:
    cost, _ = long_run()
    wide = plots.header_lines(plots.ACCURACY_TITLES, cost[:2], 80)
    assert [line.plain for line in wide] == ["Accuracy per epoch (%)  ━ training  ━ validation"]
    narrow = plots.header_lines(plots.ACCURACY_TITLES, cost[:2], 22)
    assert [line.plain for line in narrow] == ["Acc. %  ━ train  ━ val"]
    sign = narrow[0].spans[-1]
    assert narrow[0].plain[sign.start:sign.end] == "━"
    assert sign.style.color.triplet == plots.HELD_OUT


def test_the_cli_prints_title_and_legend_above_each_plot(report) -> None:
    history = [report(e) for e in range(1, 11)]
    plain = io.StringIO()
    plots.plot_history_in_terminal(history, Console(file=plain, width=80), held_out="test",
                                   term="L2")
    text = plain.getvalue()
    assert "\x1b[" not in text and not BRAILLE.search(text)
    assert "Cost per epoch (with the L2 term)  • training  x test" in text
    assert "• hidden 1  x hidden 2  + output" in text
    colour = io.StringIO()
    console = Console(file=colour, width=80, force_terminal=True, color_system="truecolor")
    plots.plot_history_in_terminal(history, console)
    text = colour.getvalue()
    assert BRAILLE.search(text)
    assert "38;2;{};{};{}m━".format(*plots.HELD_OUT) in text


# --- the overlay plot ---------------------------------------------------------------------------

def test_overlay_series_one_per_run_coloured_by_place(epoch_report) -> None:
    def _overlay_report(epoch: int, train_cost: float | None, val_accuracy: float) -> EpochReport:
        return epoch_report(epoch, epochs=3, train_cost=train_cost,
                            train_accuracy=None if train_cost is None else 0.5, val_cost=1.0,
                            val_accuracy=val_accuracy)

    runs = [("η=0.025", [_overlay_report(1, 2.0, 0.9), _overlay_report(2, 1.5, 0.92)]),
            ("η=0.25", [_overlay_report(1, 1.0, 0.95)]),
            ("no training figures", [_overlay_report(1, None, 0.5)])]
    costs = plots.overlay_series(runs, "train_cost")
    assert [s.label for s in costs] == ["η=0.025", "η=0.25", "no training figures"]
    assert costs[0].x == [1.0, 2.0] and costs[0].y == [2.0, 1.5] and costs[2].y == []
    accuracy = plots.overlay_series(runs, "val_accuracy")
    assert accuracy[1].y == [95.0]
    assert [s.color for s in plots.styles(costs)] == list(plots.PALETTE[:3])
    with pytest.raises(ValueError):
        plots.overlay_series(runs, "output")
    out = plots.output_series([("q", [(0, 0.98), (1, 0.97)])])
    assert out[0].x == [0.0, 1.0] and out[0].y == [0.98, 0.97]
    assert plots.overlay_titles("val_accuracy", "test")[0] == "Test accuracy per epoch (%)"
    assert plots.held_out_word(["test", "validation"]) == "held-out"


def test_plot_overlay_in_terminal_names_every_run() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=60)
    series = plots.output_series([("quadratic", [(0, 0.98), (300, 0.2)]),
                                  ("cross-entropy", [(0, 0.98), (300, 0.01)])])
    plots.plot_overlay_in_terminal(series, plots.overlay_titles("output"), console,
                                   axis=plots.OUTPUT_AXIS)
    text = buffer.getvalue()
    assert "quadratic" in text and "cross-entropy" in text and "Output a" in text
    assert "\x1b[" not in text  # not a terminal: plain characters

