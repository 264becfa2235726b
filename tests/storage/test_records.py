"""Tests of run records (``nntui.storage.records``): one run as one JSON object, written after
each epoch (at most once a second) and at the end, and read back with every field checked.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.storage import records, safe_read
from nntui.storage.errors import RunFileError
from nntui.storage.records import RunRecord, load_run, old_runs_dir, runs_dir


def test_run_record_is_written_after_each_epoch(tmp_path: Path, epoch_report) -> None:
    path = tmp_path / "sub" / "run.json"
    record = RunRecord(make_config(epochs=3), path, save_interval=0)
    record.add_epoch(epoch_report(1, epochs=3, seconds=1.5))
    on_disk = json.loads(path.read_text())
    assert [e["epoch"] for e in on_disk["history"]] == [1]
    assert on_disk["status"] == "running"
    record.add_epoch(epoch_report(2, epochs=3, seconds=1.5, notes=("note",)))
    on_disk = json.loads(path.read_text())
    assert [e["epoch"] for e in on_disk["history"]] == [1, 2]
    assert on_disk["seconds"] == pytest.approx(3.0)
    assert on_disk["history"][1]["notes"] == ["note"]
    record.finish("stopped", "by hand", test_accuracy=0.7)
    loaded = load_run(path)
    assert loaded.status == "stopped" and loaded.message == "by hand"
    assert loaded.test_accuracy == 0.7
    assert loaded.config == make_config(epochs=3)
    assert len(loaded.history) == 2
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]


def test_run_record_saves_at_most_once_per_interval_and_always_at_the_end(
        tmp_path: Path, epoch_report) -> None:
    path = tmp_path / "run.json"
    record = RunRecord(make_config(epochs=3), path, save_interval=3600)
    record.add_epoch(epoch_report(1))  # the first epoch is written at once
    record.add_epoch(epoch_report(2))  # within the interval: kept in memory only
    assert [e["epoch"] for e in json.loads(path.read_text())["history"]] == [1]
    record.finish("finished")
    assert [e["epoch"] for e in json.loads(path.read_text())["history"]] == [1, 2]


def test_run_record_without_path_writes_nothing(tmp_path: Path, monkeypatch, epoch_report) -> None:
    monkeypatch.chdir(tmp_path)
    record = RunRecord(make_config())
    record.add_epoch(epoch_report(1))
    assert list(tmp_path.iterdir()) == []


def test_bad_run_records(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    with pytest.raises(RunFileError, match="no run record"):
        load_run(path)
    path.write_text("[]")
    with pytest.raises(RunFileError, match="not an nntui run record"):
        load_run(path)
    path.write_text(json.dumps({"config": {"eta": "fast"}, "history": []}))
    with pytest.raises(RunFileError, match="eta"):
        load_run(path)
    path.write_text("{\"config\": ")
    with pytest.raises(RunFileError, match="line 1"):
        load_run(path)


@pytest.fixture
def saved_record(tmp_path: Path, epoch_report) -> tuple[Path, dict]:
    """A finished run of one epoch recorded in ``run.json``, and what the file holds."""
    path = tmp_path / "run.json"
    record = RunRecord(make_config(epochs=3), path, save_interval=0)
    record.add_epoch(epoch_report(1, epochs=3))
    record.finish("finished", "done", test_accuracy=0.5)
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.update(seconds="abc"), "'seconds' must be a number of seconds, 0 or more, "
                                        "not \"abc\""),
    (lambda d: d.update(seconds=None), "'seconds' .* not null"),
    (lambda d: d.update(seconds=-1), "'seconds'"),
    (lambda d: d.update(seconds=True), "'seconds'"),
    (lambda d: d.update(test_accuracy="high"), "'test_accuracy'"),
    (lambda d: d.update(test_accuracy=7), "'test_accuracy' must be a fraction"),
    (lambda d: d.update(status=3), "'status' must be text"),
    (lambda d: d.update(message=["a"]), "'message' must be text"),
    (lambda d: d.update(history={"epoch": 1}), "'history' must be a list"),
    (lambda d: d.update(history=[1, 2]), "'history' must be a list of epochs"),
    (lambda d: d.pop("history"), "no 'history' entry"),
    (lambda d: d.update(started="yesterday"), "'started' must be a local time"),
    (lambda d: d.update(started=12), "'started'"),
    (lambda d: d["config"].update(hidden=[[[1]]]), "not an nntui run record: hidden"),
])
def test_malformed_run_records(saved_record, change, words: str) -> None:
    path, data = saved_record
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match=words) as info:
        load_run(path)
    assert str(path) in str(info.value)


def test_a_run_record_reads_back_what_was_written(saved_record) -> None:
    path, data = saved_record
    loaded = load_run(path)
    assert (loaded.status, loaded.message, loaded.test_accuracy) == ("finished", "done", 0.5)
    assert loaded.as_dict()["started"] == data["started"]
    data["seconds"] = 7  # a whole number of seconds is fine
    data["test_accuracy"] = float("nan")  # what an empty test set gives
    path.write_text(json.dumps(data))
    loaded = load_run(path)
    assert loaded.seconds == 7.0 and math.isnan(loaded.test_accuracy)


def test_huge_numbers_and_oversized_run_records(saved_record, monkeypatch) -> None:
    path, data = saved_record
    path.write_text(json.dumps(data).replace('"seconds": ', '"seconds": ' + "1" * 400 + ".5 + ")
                    .replace(".5 + ", "", 1).replace('"seed": 1', '"seed": ' + "9" * 400))
    with pytest.raises(RunFileError, match="400 digits"):
        load_run(path)
    monkeypatch.setattr(safe_read, "MAX_RECORD_BYTES", 100)
    path.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match="too large for a run record"):
        load_run(path)
    with pytest.raises(RunFileError, match="more than the 0 MB nntui reads back"):
        RunRecord(make_config(), path).save()
    assert json.loads(path.read_text()) == data


def test_old_runs_dir_is_the_environment_s_or_the_app_s(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(records.OLD_RUNS_ENV, f" {tmp_path} ")
    assert old_runs_dir() == tmp_path
    monkeypatch.setenv(records.OLD_RUNS_ENV, "")
    assert old_runs_dir() == runs_dir()
    assert runs_dir().name == "runs" and "nntui" in runs_dir().parts
