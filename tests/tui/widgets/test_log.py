"""The epoch log: an epoch's line in the richest form that fits, notes on lines of their own, the
columns named when the short forms leave the words out."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from nntui.engine import EpochReport
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
