"""Tests of exporting a recorded run (``nntui.storage.exports``), the one way ``nntui runs export``
and the runs screen do it: JSON that is exactly the run record ``nntui train --json`` writes, CSV
with a row per epoch, and files written through the one safe write (never through a link or over
a folder, device, FIFO or read-only file; the permissions a plain ``open()`` would leave).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.storage import safe_read
from nntui.storage.errors import RunFileError
from nntui.storage.exports import epochs_csv, export_run, export_text, format_for
from nntui.storage.history import RunHistory, UnknownRunError
from nntui.storage.records import RunRecord, load_run

CONFIG = make_config(dataset="xor", hidden="6", epochs=5, eta=0.1)


@pytest.fixture
def history(db_path: Path, epoch_report):
    """A history holding run 1: three epochs, a note with non-ASCII letters on the second."""
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        for epoch in range(1, 4):
            history.add_epoch(run, epoch_report(epoch, val_accuracy=0.5 + epoch / 10,
                                                notes=("η 0.1 → 0.05",) if epoch == 2 else ()))
        history.finish_run(run, "completed", "all 3 epochs", test_accuracy=0.75, seconds=1.5)
        yield history


def test_export_json_is_what_nntui_train_json_writes(db_path: Path, tmp_path: Path,
                                                     epoch_report) -> None:
    reports = [epoch_report(1, val_accuracy=0.6),
               epoch_report(2, val_accuracy=0.8, notes=("a", "b"))]
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        for r in reports:
            history.add_epoch(run, r)
        history.finish_run(run, "early stop", "no better for 2 epochs", test_accuracy=0.75,
                           seconds=3.25)
        exported = history.export_json(run)
        started = history.get_run(run).started
        written = export_run(history, run, tmp_path / "exported.json")
    record = RunRecord(CONFIG, started=started)
    for r in reports:
        record.add_epoch(r)
    record.seconds = 3.25
    record.status, record.message, record.test_accuracy = (
        "early stop", "no better for 2 epochs", 0.75)
    assert exported == record.as_dict()
    assert written == 2
    loaded = load_run(tmp_path / "exported.json")
    assert loaded.config == CONFIG and loaded.history == record.history
    assert json.loads((tmp_path / "exported.json").read_text(encoding="utf-8")) == exported


def test_export_csv_has_one_row_per_epoch(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        for epoch in range(1, 4):
            history.add_epoch(run, epoch_report(epoch, val_accuracy=0.5 + epoch / 10,
                                                notes=("η 0.1 → 0.05",) if epoch == 2 else ()))
        history.add_epoch(run, epoch_report(4, val_cost=math.nan))
        text, epochs = export_text(history, run, "csv")
        assert text == epochs_csv(history.export_json(run))
    assert epochs == 4
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3, 4]
    assert list(rows[0]) == ["epoch", "train_cost", "train_accuracy", "val_cost", "val_accuracy",
                             "learning_speed_1", "learning_speed_2", "seconds", "eta", "notes"]
    assert float(rows[2]["val_accuracy"]) == 0.8
    assert float(rows[1]["learning_speed_1"]) == 0.02
    assert rows[1]["notes"] == "η 0.1 → 0.05" and rows[0]["notes"] == ""
    assert rows[3]["val_cost"] == "nan"


def test_the_format_follows_the_name_unless_given(history: RunHistory, tmp_path: Path) -> None:
    assert [format_for(name) for name in ("a.csv", "A.CSV", "a.json", "a.txt", "a")] == [
        "csv", "csv", "json", "json", "json"]
    assert export_run(history, 1, tmp_path / "run.csv") == 3
    assert (tmp_path / "run.csv").read_text(encoding="utf-8").startswith("epoch,train_cost,")
    assert export_run(history, 1, tmp_path / "run.txt", "csv") == 3
    assert (tmp_path / "run.txt").read_text(encoding="utf-8") == export_text(history, 1, "csv")[0]
    export_run(history, 1, tmp_path / "run.dat")
    text = (tmp_path / "run.dat").read_text(encoding="utf-8")
    assert json.loads(text) == history.export_json(1)
    assert "η 0.1 → 0.05" in text, "the JSON is UTF-8 a person can read, not \\u escapes"
    with pytest.raises(ValueError, match="fmt must be one of json, csv"):
        export_text(history, 1, "xml")


def test_an_unknown_run_writes_nothing(history: RunHistory, tmp_path: Path) -> None:
    with pytest.raises(UnknownRunError, match="no run 9"):
        export_run(history, 9, tmp_path / "run.json")
    assert list(tmp_path.glob("run*")) == []


def test_exports_refuse_what_every_writer_refuses(history: RunHistory, unwritable) -> None:
    for path, words in unwritable.refusals.items():
        with pytest.raises(RunFileError, match=re.escape(f"could not write {path}: {words}")):
            export_run(history, 1, path)
    assert unwritable.untouched()


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_export_gets_the_umask_s_permissions_a_replaced_one_keeps_its_own(
        history: RunHistory, tmp_path: Path, mask: int, mode: int) -> None:
    old = os.umask(mask)
    try:
        export_run(history, 1, tmp_path / "new.json")
        export_run(history, 1, tmp_path / "new.csv")
        kept = tmp_path / "kept.json"
        kept.write_text("old")
        kept.chmod(0o640)
        export_run(history, 1, kept)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == mode
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert load_run(kept).status == "completed"


def test_a_json_export_is_no_larger_than_nntui_reads_back(history: RunHistory, tmp_path: Path,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(safe_read, "MAX_RECORD_BYTES", 100)
    with pytest.raises(RunFileError, match="more than the 0 MB nntui reads back"):
        export_run(history, 1, tmp_path / "run.json")
    assert export_run(history, 1, tmp_path / "run.csv") == 3  # a CSV file is not read back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history", "run.csv"]
