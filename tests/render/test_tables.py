"""Tests of tables that fit the terminal (``nntui.render.tables``): the columns of lowest priority
give way on a narrow terminal after the long texts have shrunk, a text too long for its column ends
in "…", and the list of runs has one layout for ``nntui runs`` and the runs screen.
"""

from __future__ import annotations

import io
import time

from rich.console import Console

from nntui.config import make_config
from nntui.render.tables import (
    PIN_MARK,
    RUN_COLUMNS,
    RUN_COLUMNS_KEPT,
    Column,
    clip,
    fit_columns,
    fitted_table,
    run_cell_style,
    run_cells,
)
from nntui.storage.history import RunHistory

ROW = {"pin": "★", "id": "12", "when": "Mar 14 09:30", "name": "nielsen-overfit",
       "data": "mnist (1,000)", "hidden": "30", "eta": "0.5", "batch": "10",
       "reg": "L2 λ=5", "status": "completed", "epochs": "400/400", "best": "82.85% test",
       "time": "1m05s"}


def test_columns_give_way_on_a_narrow_terminal():
    wide = fit_columns(RUN_COLUMNS, [ROW], 117, keep=RUN_COLUMNS_KEPT)
    assert len(wide) == 13 and sum(width + 1 for _, width in wide) <= 117
    narrow = fit_columns(RUN_COLUMNS, [ROW], 77, keep=RUN_COLUMNS_KEPT)
    keys = [column.key for column, _ in narrow]
    assert sum(width + 1 for _, width in narrow) <= 77
    assert {"pin", "id", "name", "data", "hidden", "eta", "status", "epochs", "best"} <= set(keys)
    assert not {"reg", "batch", "time"} & set(keys)  # the least useful went first
    assert dict((column.key, width) for column, width in narrow)["name"] >= 12


def test_long_texts_shrink_before_any_column_gives_way():
    row = {**ROW, "name": "a rather long name for a run", "group": "a sweep of eta and lambda"}
    natural = fit_columns(RUN_COLUMNS, [row], None, keep=RUN_COLUMNS_KEPT)
    widths = {column.key: width for column, width in natural}
    assert (widths["name"], widths["group"]) == (24, 22)  # capped at their widest
    room = sum(width + 1 for width in widths.values())
    shrunk = dict((column.key, width) for column, width in fit_columns(
        RUN_COLUMNS, [row], room - 10, keep=RUN_COLUMNS_KEPT))
    assert set(shrunk) == set(widths), "ten cells less: texts shrink, no column goes"
    assert sum(widths.values()) - sum(shrunk.values()) == 10
    assert shrunk["group"] == 12 and shrunk["name"] == 24  # the first that may shrink, first


def test_so_few_cells_keep_the_most_useful_columns():
    kept = fit_columns(RUN_COLUMNS, [ROW], 10, keep=RUN_COLUMNS_KEPT)
    assert [column.key for column, _ in kept] == ["pin", "id", "name", "status", "best"]


def test_an_optional_column_shows_only_with_something_in_it():
    assert "group" not in {column.key for column, _ in fit_columns(
        RUN_COLUMNS, [ROW, {**ROW, "group": ""}], None, keep=RUN_COLUMNS_KEPT)}
    assert "group" in {column.key for column, _ in fit_columns(
        RUN_COLUMNS, [ROW, {**ROW, "group": "sweep"}], None, keep=RUN_COLUMNS_KEPT)}


def test_a_header_may_be_replaced_and_is_never_cut():
    columns = [Column("best", "best", right=True)]
    [(_, width)] = fit_columns(columns, [{"best": "9%"}], None, keep=1, headers={"best": "best▾"})
    assert width == 5


def test_clip():
    assert clip("spiral", 10) == ("spiral", 6)
    assert clip("wide spiral with a long name", 8) == ("wide sp…", 8)
    assert clip("η 0.5 → 0.25", 5) == ("η 0.…", 5)
    assert clip("漢字の名前", 5) == ("漢字…", 5)  # wide characters take two cells


def _console(width: int, terminal: bool) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=None,
                   soft_wrap=True)


COLUMNS = (Column("id", "id", right=True, priority=100), Column("name", "name", priority=80),
           Column("notes", "notes", priority=10, optional=True),
           Column("time", "time", right=True, priority=50))
ROWS = [{"id": "7", "name": "baseline", "notes": "", "time": "4s"},
        {"id": "12", "name": "a long name", "notes": "", "time": "1h02m"}]
STYLES = [{"id": "bold"}, {}]


def test_fitted_table_in_a_pipe_shows_every_column():
    console = _console(10, terminal=False)
    table, left_out = fitted_table(console, COLUMNS, ROWS, STYLES)
    assert left_out == []
    assert table.plain.split("\n") == [
        "id  name          time",
        "─" * 22,
        " 7  baseline        4s",
        "12  a long name  1h02m"]
    assert console.width == 22, "the console is widened to the table"
    # The headers in bold, and the cell given a style (the 7 after its padding).
    assert [(span.start, span.end, span.style) for span in table.spans] == [
        (0, 2, "bold"), (4, 8, "bold"), (18, 22, "bold"), (47, 48, "bold")]


def test_fitted_table_on_a_narrow_terminal_leaves_out_the_least_useful():
    console = _console(16, terminal=True)
    table, left_out = fitted_table(console, COLUMNS, ROWS, keep=2)
    assert left_out == ["time"], "an optional column with nothing in it is not missed"
    assert table.plain.split("\n") == ["id  name", "─" * 15, " 7  baseline", "12  a long name"]
    narrower = _console(12, terminal=True)
    table, _ = fitted_table(narrower, COLUMNS, ROWS, keep=3)
    assert table.plain.split("\n")[3] == "12  a long name  1h02m", "keep: no fewer columns"


def test_a_run_reads_the_same_in_every_list(tmp_path, epoch_report):
    with RunHistory(tmp_path / "runs.db") as history:
        run_id = history.start_run(make_config(dataset="xor", hidden="8,8", eta=0.5, epochs=3,
                                               regularization="l2", lmbda=0.1),
                                   name="wide xor", group="sweep")
        history.add_epoch(run_id, epoch_report(1, epochs=3, val_accuracy=0.75))
        history.finish_run(run_id, "stopped", "by hand", seconds=65)
        history.set_pinned(run_id, True)
        (run,) = history.list_runs()
    cells = run_cells(run, time.time())
    assert set(cells) == {column.key for column in RUN_COLUMNS}
    assert {key: cells[key] for key in ("pin", "id", "group", "name", "hidden", "eta", "reg",
                                        "status", "epochs", "best", "time")} == {
        "pin": PIN_MARK, "id": str(run_id), "group": "sweep", "name": "wide xor",
        "hidden": "8,8", "eta": "0.5", "reg": "L2 λ=0.1", "status": "stopped", "epochs": "1/3",
        "best": "75.00%", "time": "1m05s"}
    assert cells["data"].startswith("xor")
    assert run_cell_style("status", run) == "yellow"
    assert (run_cell_style("pin", run), run_cell_style("id", run)) == ("bold yellow", "bold")
    assert run_cell_style("name", run) == ""
