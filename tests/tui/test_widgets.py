"""The app's small pieces without Pilot: epoch-log forms, the pace ladder, which fields apply,
the too-small notice."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.color import Color

from nntui.config import SPECS, applies
from nntui.engine import EpochReport
from nntui.tui.app import PACES, next_pace
from nntui.tui.screens.too_small import TooSmallScreen, notice
from nntui.tui.widgets.log import FORMS, EpochLog, full_line, narrow_line, table_line


def report(epoch: int = 7, epochs: int = 400, notes: tuple[str, ...] = ()) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=epochs, train_cost=0.41234, train_accuracy=0.93451,
                       val_cost=0.43512, val_accuracy=0.90523, learning_speed=(0.01, 0.1),
                       seconds=2.13,
                       examples_per_second=23456.0, eta=0.5, notes=notes)


def test_full_line_names_the_held_out_split():
    assert "val_loss: 0.4351" in full_line(report(), "validation", True).plain
    text = full_line(report(), "test", True).plain
    assert "test_loss: 0.4351" in text and "test_accuracy: 0.9052" in text
    assert "val" not in text


def test_every_form_says_the_held_out_accuracy_and_gets_shorter():
    lengths = [form(report(), "validation", False).cell_len for form in FORMS]
    assert lengths == sorted(lengths, reverse=True)
    assert narrow_line(report(), "validation", False).plain == "  7 0.435 90.52%"
    assert table_line(report(), "test", False).plain == "  7 0.412  93.45% │ 0.435  90.52%"
    assert lengths[-1] <= 19  # the log's width at 80×24


@pytest.mark.parametrize(("width", "form"), [(120, 0), (40, 1), (24, 2)])
async def test_the_log_writes_one_line_per_epoch_at_every_width(width, form):
    class LogApp(App[None]):
        def compose(self) -> ComposeResult:
            yield EpochLog(show_timing=False, id="log")

    app = LogApp()
    async with app.run_test(size=(width, 12)) as pilot:
        log = app.query_one(EpochLog)
        log.start_run("test")
        for epoch in range(1, 6):
            log.epoch(report(epoch, 400))
        await pilot.pause()
        assert log._form == form
        assert len(log.lines) == 5  # no epoch wrapped onto a second row
        if form == 2:
            assert log.border_subtitle == "test: cost · acc"
        await pilot.resize_terminal(120, 12)
        await pilot.pause()
        assert log._form == 0 and len(log.lines) == 5


def test_notes_go_on_a_line_of_their_own():
    from nntui.tui.widgets.log import notes_text

    assert notes_text(report()) is None
    assert "η halved to 0.25" in notes_text(report(notes=("η halved to 0.25",))).plain


def test_pace_ladder_slows_down_then_wraps_to_no_cap():
    seen, pace = [], 0.0
    for _ in range(len(PACES)):
        pace = next_pace(pace)
        seen.append(pace)
    assert seen == [100.0, 30.0, 10.0, 3.0, 1.0, 0.0]
    assert next_pace(50.0) == 30.0  # a typed value joins the ladder
    assert next_pace(0.5) == 0.0


def test_fields_that_apply_to_each_data_set():
    assert applies("noise", "spiral") and not applies("noise", "mnist")
    assert applies("neuron_w", "neuron") and not applies("neuron_w", "xor")
    assert not applies("train_size", "neuron") and applies("train_size", "/data/my-idx")
    assert all(applies(name, "mnist") for name in SPECS
               if name not in ("noise", "neuron_w", "neuron_b"))


def test_too_small_notice_has_short_lines():
    text = notice(40, 12)
    assert "40×12" in text.plain and "80×24" in text.plain and "Ctrl+Q" in text.plain
    # The box is 56 columns inside: on a roomier terminal no line wraps.
    assert max(len(line) for line in text.plain.splitlines()) <= 56


def luminance(color: Color) -> float:
    """WCAG relative luminance."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours (4.5 is the bar for body text)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


async def test_too_small_notice_is_readable_in_every_theme_and_fits_40x12():
    class Small(App[None]):
        def on_mount(self) -> None:
            self.push_screen(TooSmallScreen())

    app = Small()
    async with app.run_test(size=(40, 12)) as pilot:
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            box = app.screen.query_one("#too-small-text")
            # The colours the terminal is sent for the notice's heading, as drawn.
            segments = [segment for strip in app.screen._compositor.render_strips()
                        for segment in strip if "too small" in segment.text]
            assert segments, theme
            style = segments[0].style
            if style.color is None or style.color.is_default:
                # ANSI themes: the terminal's own default colours, readable by definition.
                assert style.bgcolor is None or style.bgcolor.is_default, theme
            else:
                fg = Color.from_rich_color(style.color)
                bg = Color.from_rich_color(style.bgcolor)
                assert contrast(fg, bg) >= 4.5, theme
            region = box.region
            assert region.x >= 0 and region.right <= 40 and region.bottom <= 12, theme
            lines = [strip.text for strip in app.screen._compositor.render_strips()]
            screen_text = "\n".join(lines)
            assert "Terminal too small" in screen_text and "Ctrl+Q" in screen_text, theme


def test_downsample_keeps_the_role_and_the_last_point():
    from nntui.render.plots import Series
    from nntui.tui.controllers.training import downsample

    series = Series("mini-batch (this epoch)", list(range(1000)), list(range(1000)), "running")
    thin = downsample(series, limit=100)
    assert thin.role == "running" and thin.label == series.label
    assert len(thin.x) <= 101 and thin.x[-1] == 999 and thin.y[-1] == 999


async def test_the_log_names_its_columns_when_the_training_set_is_not_measured():
    class LogApp(App[None]):
        def compose(self) -> ComposeResult:
            yield EpochLog(show_timing=False, id="log")

    app = LogApp()
    async with app.run_test(size=(40, 12)) as pilot:
        log = app.query_one(EpochLog)
        log.start_run("validation")
        log.epoch(EpochReport(epoch=1, epochs=300, train_cost=None, train_accuracy=None,
                              val_cost=0.48, val_accuracy=0.0, learning_speed=(0.01,), seconds=0.0,
                              examples_per_second=0.0, eta=0.15))
        await pilot.pause()
        assert log.border_subtitle == "val: cost · acc"
