"""Tests of importing the JSON run records older versions wrote (``nntui.storage.history_import``):
each file once, a rewritten one replacing its run, malformed and hostile files skipped with a
reason, saved networks passed over, and the files left alone.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.engine import EpochReport, Network
from nntui.storage.history import RunHistory
from nntui.storage.networks import save_network
from nntui.storage.records import RECORD_FORMAT, RunRecord

CONFIG = make_config(dataset="xor", hidden="6", epochs=5, eta=0.1)


def write_record(path: Path, reports: list[EpochReport], status: str | None = "completed",
                 config=CONFIG) -> dict:
    """A run record as earlier versions wrote it: today's, without the marker they lacked."""
    record = RunRecord(config, None, started=time.time() - 100)
    for r in reports:
        record.add_epoch(r)
    if status is not None:
        record.finish(status, f"{status} here", test_accuracy=0.5)
    data = record.as_dict()
    data.pop("format", None)
    path.write_text(json.dumps(data, indent=1))
    return data


def test_import_json_records_once(tmp_path: Path, db_path: Path, epoch_report) -> None:
    old = tmp_path / "old-runs"
    old.mkdir()
    first = write_record(old / "20261101-101010-1-xor.json", [epoch_report(1), epoch_report(2)])
    (old / "20261101-101010-1-xor.npz").write_bytes(b"a saved network")
    write_record(old / "20261102-090000-2-xor.json", [epoch_report(1, val_accuracy=0.9)], "stopped")
    (old / "broken.json").write_text("{not json")
    (old / "list.json").write_text("[1, 2, 3]")
    (old / "bad-config.json").write_text(json.dumps({"config": {"eta": -1}, "history": []}))
    save_network(old / "a-network.json", *_network())
    (old / "notes.txt").write_text("not a record")
    with RunHistory(db_path) as history:
        done = history.import_json_runs(old)
        assert sorted(p.name for p, _ in done.imported) == [
            "20261101-101010-1-xor.json", "20261102-090000-2-xor.json"]
        skipped = {p.name: reason for p, reason in done.skipped}
        assert set(skipped) == {"broken.json", "list.json", "bad-config.json"}
        assert skipped["broken.json"].startswith(
            f"{old / 'broken.json'} is not valid JSON (line 1, column 2)")
        assert skipped["list.json"] == (f"{old / 'list.json'} is not a run record nntui can "
                                        f"import: no config and history")
        assert skipped["bad-config.json"].startswith(
            f"{old / 'bad-config.json'} is not a run record nntui can import: invalid config: "
            f"eta:")
        run_id = dict((p.name, i) for p, i in done.imported)["20261101-101010-1-xor.json"]
        run = history.get_run(run_id)
        assert run.network_path == str(old / "20261101-101010-1-xor.npz")
        assert (run.status, run.epochs_done, run.best_val_accuracy) == ("completed", 2, 0.5)
        assert history.export_json(run_id) == {"format": RECORD_FORMAT, **first}, \
            "an imported run exports as it came in, marked as this version's"

        again = history.import_json_runs(old)
        assert (again.imported, again.skipped, again.unchanged) == ([], [], 6)
        assert history.count() == 2
    assert {p.name for p in old.iterdir()} == {
        "20261101-101010-1-xor.json", "20261101-101010-1-xor.npz",
        "20261102-090000-2-xor.json", "broken.json", "list.json", "bad-config.json",
        "a-network.json", "notes.txt"}, "the files are left alone"


def _network():
    return Network([2, 6, 2], seed=1), CONFIG


def test_a_record_rewritten_since_replaces_its_run(tmp_path: Path, db_path: Path,
                                                   epoch_report) -> None:
    path = tmp_path / "run.json"
    write_record(path, [epoch_report(1)], status=None)  # still running when first imported
    with RunHistory(db_path) as history:
        (first,) = history.import_json_runs(tmp_path).imported
        summary = history.list_runs()[0]
        assert summary.status == "interrupted" and "never finished" in summary.message
        write_record(path, [epoch_report(1), epoch_report(2), epoch_report(3)])
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
        (second,) = history.import_json_runs(tmp_path).imported
        (summary,) = history.list_runs()
    assert summary.id == second[1] != first[1]
    assert (summary.status, summary.epochs_done) == ("completed", 3)


def test_import_from_a_missing_folder_is_nothing(tmp_path: Path, db_path: Path) -> None:
    with RunHistory(db_path) as history:
        done = history.import_json_runs(tmp_path / "nowhere")
    assert (done.imported, done.skipped, done.unchanged) == ([], [], 0)


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    '{"config": {"epochs": 1' + "0" * 400 + '}, "history": []}',
    '{"config": {"epochs": "1e999999"}, "history": []}',
])
def test_hostile_old_records_are_skipped_with_a_reason(tmp_path, text):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "bad.json").write_text(text)
    with RunHistory(tmp_path / "runs.db") as history:
        report = history.import_json_runs(folder)
        assert not report.imported and len(report.skipped) == 1
        assert history.count() == 0


@pytest.mark.parametrize(("field", "value", "said"), [
    ("seconds", "1" * 400, "holds a whole number 400 digits long"),
    ("seconds", "1e999", "seconds is Infinity, not a number of seconds"),
    ("seconds", "-5", "seconds is -5, not a number of seconds"),
    ("epoch", "1" * 20, "history entry 1: bad or repeated epoch number"),
    ("status", '"\\u001b]0;x\\u0007"', "unknown status"),
], ids=["400-digit-seconds", "infinite-seconds", "negative-seconds", "20-digit-epoch",
        "escape-in-status"])
def test_one_bad_old_record_is_skipped_with_one_line_and_the_rest_imported(
        tmp_path: Path, db_path: Path, epoch_report, field: str, value: str, said: str) -> None:
    """The probe's record with a 400-digit ``seconds`` stopped every start with an
    OverflowError; each such record is now skipped, once, saying which file and why."""
    old = tmp_path / "old-runs"
    old.mkdir()
    write_record(old / "good.json", [epoch_report(1)])
    data = write_record(old / "bad.json", [epoch_report(1)])
    text = json.dumps(data, indent=1)
    if field == "epoch":
        text = text.replace('"epoch": 1', f'"epoch": {value}')
    else:
        text = text.replace(f'"{field}": {json.dumps(data[field])}', f'"{field}": {value}')
    assert text != json.dumps(data, indent=1)
    (old / "bad.json").write_text(text)
    with RunHistory(db_path) as history:
        report = history.import_json_runs(old)
        assert [path.name for path, _ in report.imported] == ["good.json"]
        ((_, reason),) = report.skipped
        assert reason.startswith(str(old / "bad.json")) and said in reason, reason
        again = history.import_json_runs(old)
        assert (again.imported, again.skipped) == ([], []), "said once"
        assert history.count() == 1


def test_exports_and_records_of_this_version_are_never_imported(tmp_path: Path, db_path: Path,
                                                                 epoch_report) -> None:
    """The runs screen offers to export into the folder old records are imported from: an
    export, or a ``--json`` record, must not come back as a second copy of its run."""
    from nntui.storage.exports import export_run

    old = tmp_path / "old-runs"
    old.mkdir()
    with RunHistory(db_path) as history:
        run_id = history.start_run(CONFIG)
        history.add_epoch(run_id, epoch_report(1))
        history.finish_run(run_id, "completed", "done", test_accuracy=0.5)
        export_run(history, run_id, old / f"run-{run_id}.json")
        record = RunRecord(CONFIG, old / "train-json.json")
        record.add_epoch(epoch_report(1))
        record.finish("completed")
        report = history.import_json_runs(old)
        assert (report.imported, report.skipped) == ([], [])
        assert history.count() == 1


def test_a_run_the_history_holds_is_not_imported_again(tmp_path: Path, db_path: Path,
                                                       epoch_report) -> None:
    """An export made before exports were marked, or a copy of an old record under another
    name: the same config, start and epochs as a run in the history, so not imported."""
    old = tmp_path / "old-runs"
    old.mkdir()
    with RunHistory(db_path) as history:
        run_id = history.start_run(CONFIG)
        history.add_epoch(run_id, epoch_report(1))
        history.finish_run(run_id, "completed", "done", test_accuracy=0.5)
        unmarked = history.export_json(run_id)
        unmarked.pop("format", None)
        (old / f"run-{run_id}.json").write_text(json.dumps(unmarked))
        write_record(old / "old.json", [epoch_report(1), epoch_report(2)])
        (old / "copy-of-old.json").write_text((old / "old.json").read_text())
        report = history.import_json_runs(old)
        assert len(report.imported) == 1 and report.skipped == []
        assert history.count() == 2
        assert history.import_json_runs(old).imported == []
