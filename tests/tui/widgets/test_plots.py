"""Tests of the plot widgets: curves and legends stay in place at any size, the running curve's
legend entry, and a canvas drawn through Textual's line API that looks as Rich would draw it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Grid

from nntui.render.plots import Series
from nntui.tui.widgets.plots import (
    AccuracyPlot,
    CostPlot,
    PlotData,
    SeriesPlot,
    SpeedPlot,
    show_all,
)


class PlotsApp(App):
    CSS = "#panels { grid-size: 2 2; }"

    def compose(self) -> ComposeResult:
        with Grid(id="panels"):
            yield CostPlot()
            yield AccuracyPlot()
            yield SpeedPlot()


def check_widgets(app: PlotsApp, assert_inside_frame) -> None:
    for plot in app.query(SeriesPlot):
        canvas, header = plot.canvas, plot.header
        assert canvas.size.width == plot.size.width
        assert canvas.size.height + header.size.height == plot.size.height
        width, height = canvas.size
        text = canvas.render().plain
        assert_inside_frame(text, width, height)
        assert "training" not in text and "hidden" not in text  # the legend is not on the data
        lines = header.render().plain.split("\n")
        assert len(lines) == header.size.height
        assert all(len(line) <= header.size.width for line in lines)


async def test_the_plot_widgets_keep_curves_and_legends_in_place_at_any_size(
        long_run, assert_inside_frame) -> None:
    cost, speed = long_run()
    accuracy = [Series("training", cost[0].x, [50 + y for y in cost[1].y], "training")]
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        show_all(app.query_one(CostPlot), app.query_one(AccuracyPlot), app.query_one(SpeedPlot),
                 PlotData(cost[:2], accuracy, speed), cost[2])
        await pilot.pause()
        check_widgets(app, assert_inside_frame)
        for size in ((120, 40), (50, 16), (200, 60)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            check_widgets(app, assert_inside_frame)
        cost_plot = app.query_one(CostPlot)
        assert cost_plot.series == cost[:2] and cost_plot.extra == [cost[2]]
        assert cost_plot.toggle_log() is True
        await pilot.pause()
        assert "(log)" in cost_plot.header.render().plain
        check_widgets(app, assert_inside_frame)


async def test_the_running_curves_legend_entry_stays_until_the_plot_is_emptied(long_run) -> None:
    cost, _ = long_run(epochs=3)
    app = PlotsApp()
    async with app.run_test(size=(120, 30)) as pilot:
        plot = app.query_one(CostPlot)
        header = plot.header
        plot.show([], [cost[2]])  # the first epoch: only the mini-batch curve
        await pilot.pause()
        assert "mini-batch" in header.render().plain
        plot.show(cost[:2])  # an epoch ended: no running curve until the next mini-batches
        await pilot.pause()
        assert "mini-batch" in header.render().plain
        assert [s.label for s in plot.canvas.series] == ["training", "validation"]
        plot.show([])  # a new run
        await pilot.pause()
        assert header.render().plain == "Cost per epoch"  # no run: no regularization term


def cells(strips) -> list[list[tuple]]:
    """Each cell of ``strips``: its character and what its style shows."""
    return [[(char, s.color, s.bgcolor, s.bold, s.dim, s.italic, s.underline, s.reverse)
             for segment in strip for char in segment.text for s in [segment.style]]
            for strip in strips]


async def test_the_canvas_draws_what_rich_would_make_of_plotexts_output_and_follows_the_theme(
        long_run):
    """The canvas cuts plotext's ANSI output into strips itself (the line API): every cell must
    look as it does through Rich's ``Text.from_ansi`` and Textual's own conversion, in both
    themes, and a change of theme must redraw it."""
    from rich.text import Text
    from textual.visual import Visual, visualize

    cost, speed = long_run(epochs=40, layers=3)
    app = PlotsApp()
    async with app.run_test(size=(120, 40)) as pilot:
        show_all(app.query_one(CostPlot), app.query_one(AccuracyPlot), app.query_one(SpeedPlot),
                 PlotData(cost[:2], [], speed), cost[2])
        await pilot.pause()
        backgrounds = []
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            for plot in (app.query_one(CostPlot), app.query_one(SpeedPlot)):
                canvas = plot.canvas
                width, height = canvas.size
                through_rich = Visual.to_strips(canvas, visualize(canvas, Text.from_ansi(
                    canvas.ansi())), width, height, canvas.visual_style)
                assert cells(canvas.strips()) == cells(through_rich)
                assert any("\u2800" < char <= "\u28ff"  # braille: the curves are there
                           for row in cells(canvas.strips()) for char, *_ in row)
            backgrounds.append({cell[2] for row in cells(canvas.strips()) for cell in row})
        assert backgrounds[0] != backgrounds[1]


async def test_a_legend_entry_wider_than_the_plot_is_shown_whole(long_run) -> None:
    """A run's label with its hidden-curve note ("━ quadratic w=0.6 b=0.9 (under quadratic
    η=0.15)") is wider than a plot at 80 columns: it wraps, and the header is as tall as the
    lines it then takes, so that its end is not cut."""
    cost, _ = long_run(epochs=3)
    label = "quadratic w=0.6 b=0.9 (under quadratic η=0.15)"
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.query_one(CostPlot)
        plot.show([cost[0], Series(label, cost[1].x, cost[1].y, "overlay")])
        await pilot.pause()
        header = plot.header
        assert len(label) + 2 > header.size.width  # it cannot fit on one line
        drawn = header.render().wrap(app.console, header.size.width)
        assert header.size.height == len(drawn)
        assert drawn[-1].plain.rstrip().endswith("η=0.15)")
