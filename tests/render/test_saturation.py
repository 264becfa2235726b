"""Tests of how saturated neurons are drawn (``nntui.render.saturation``): counts spread over the
columns keep their total, bars fill their rows and never leave their width, colours say where the
layer saturates, ticks are round and whole, the lines name each measure."""

from __future__ import annotations

import pytest
from rich.style import Style

from nntui.insight.saturation import LayerSaturation, SaturationReport
from nntui.render.saturation import (
    LIVE_COLOR,
    SATURATED_COLOR,
    UNJUDGED_COLOR,
    fraction_line,
    fraction_series,
    histogram_lines,
    layer_caption,
    legend_line,
    rebin,
)


def _layer(activation: str = "sigmoid", measure: str = "saturated", counts=None,
           fraction: float | None = 0.25, name: str = "hidden 1") -> LayerSaturation:
    counts = tuple(counts or [0] * 18 + [10, 30, 30, 10] + [0] * 18)
    return LayerSaturation(name=name, activation=activation, measure=measure, fraction=fraction,
                           lo=-10.0, hi=10.0, counts=counts, below=0, above=0, z_mean=0.0,
                           z_std=0.5, derivative=())


@pytest.mark.parametrize(("lo", "hi", "columns"), [(-10, 10, 40), (-10, 10, 7), (-50, 50, 40),
                                                   (-2, 2, 33), (0, 10, 13)])
def test_rebinning_keeps_the_counts_inside_the_range(lo, hi, columns) -> None:
    layer = _layer(counts=list(range(40)))
    spread = rebin(layer, lo, hi, columns)
    assert len(spread) == columns
    inside = sum(c for c, a in zip(layer.counts, layer.edges, strict=False)
                 if lo <= a and a + 0.5 <= hi)
    assert sum(spread) == pytest.approx(inside)


def test_a_histogram_fills_its_rows_and_colours_the_saturated_columns() -> None:
    """The 80 values of ±1 bins are blue (|z| < 3.64 for the sigmoid); a bin of 20 at z = 8
    is red; the tallest column is full to the top row."""
    counts = [0] * 40
    counts[19], counts[20], counts[36] = 40, 40, 20
    lines = histogram_lines(_layer(counts=counts), width=40, height=4)
    assert len(lines) == 5 and all(line.cell_len == 40 for line in lines)
    top, bottom = lines[0], lines[3]
    assert top.plain[19:21] == "██"
    colours = {span.style.color.triplet for span in bottom.spans
               if isinstance(span.style, Style) and bottom.plain[span.start] != " "}
    assert tuple(LIVE_COLOR) in {tuple(c) for c in colours}
    assert tuple(SATURATED_COLOR) in {tuple(c) for c in colours}
    assert bottom.plain[36] == "█" and lines[1].plain[36] == " "  # half as tall: two rows
    axis = lines[-1].plain
    assert axis.split() == ["-10", "-5", "0", "5", "10"] or axis.split() == ["-5", "0", "5"]


def test_softmax_is_grey_and_dead_relus_red_below_zero() -> None:
    def colours(layer: LayerSaturation) -> set[tuple[int, int, int]]:
        line = histogram_lines(layer, width=40, height=1)[0]
        return {tuple(span.style.color.triplet) for span in line.spans
                if line.plain[span.start] != " "}

    assert colours(_layer("softmax", name="output")) == {UNJUDGED_COLOR}
    assert colours(_layer("relu", "dead")) == {tuple(LIVE_COLOR), tuple(SATURATED_COLOR)}


def test_lines_name_each_measure_and_fit_their_width() -> None:
    report = SaturationReport(epoch=3, sample=1000, layers=(
        _layer("relu", "dead", fraction=0.0), _layer("relu", "dead", name="hidden 2",
                                                      fraction=0.016),
        _layer("softmax", name="output", fraction=0.12)))
    assert fraction_line(report) == ("dead: hidden 1 0.0 %, hidden 2 1.6 % · "
                                     "saturated: output 12.0 %")
    assert legend_line(report) == ("saturated = σ′(z) below max/10; dead = a ReLU never active; "
                                   "on 1,000 training inputs")
    assert [s.label for s in fraction_series([report], "run 4")] == [
        "run 4 hidden 1", "run 4 hidden 2", "run 4 output"]
    assert fraction_series([report])[1].y == [pytest.approx(1.6)]
    layer = report.layers[0]
    assert layer_caption(layer) == "hidden 1 (relu): z σ 0.5, 0.0 % dead"
    assert layer_caption(layer, "init=large", 30) == "init=large · h1: σ 0.5, 0.0 %"
