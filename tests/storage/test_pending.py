"""Tests of what is kept aside when it cannot be written where it belongs: the folders tried in
order, nothing kept earlier replaced, a shared temporary folder used only when private, and a
pending run read back only by its own history and only when every field is sound."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.engine import EpochReport
from nntui.storage.errors import RunFileError
from nntui.storage.pending import (
    PendingRun,
    aside_folders,
    keep_aside,
    keep_pending,
    pending_files,
    read_pending,
)

REPORT = EpochReport(epoch=1, epochs=2, train_cost=None, train_accuracy=None, val_cost=0.5,
                     val_accuracy=float("nan"), learning_speed=(0.1,), seconds=0.2,
                     examples_per_second=10.0, eta=0.5, notes=("η halved",))


def test_the_folders_tried_beside_then_the_state_folder_then_a_private_temp_one(
        tmp_path: Path) -> None:
    beside = tmp_path / "history"
    folders = aside_folders(beside)
    assert folders[0] == beside
    assert folders[1] == Path(os.environ["XDG_STATE_HOME"]) / "nntui" / "kept"
    assert folders[2].parent == Path(tempfile.gettempdir())
    assert aside_folders()[0] == folders[1]


def test_nothing_kept_earlier_is_replaced(tmp_path: Path) -> None:
    first = keep_aside("run.json", {"a": 1}, [tmp_path])
    second = keep_aside("run.json", {"a": 2}, [tmp_path])
    assert (first.name, second.name) == ("run.json", "run-2.json")
    assert json.loads(first.read_text()) == {"a": 1}


def test_the_next_folder_is_tried_and_every_problem_said(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    kept = keep_aside("run.json", {"a": 1}, [blocked, tmp_path / "ok"])
    assert kept == tmp_path / "ok" / "run.json"
    with pytest.raises(RunFileError, match="a-file cannot be used"):
        keep_aside("run.json", {"a": 1}, [blocked])


def test_a_shared_temporary_folder_is_used_only_if_private(tmp_path: Path,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could have made it, or plant files in it
    with pytest.raises(RunFileError, match="cannot be used"):
        keep_aside("run.json", {"a": 1}, [shared])
    made = keep_aside("run.json", {"a": 1}, [tmp_path / "mine"])
    assert made.parent.stat().st_mode & 0o777 == 0o700


def _pending(history: Path, **fields: object) -> PendingRun:
    return PendingRun(history=str(history), run_id=3, config=make_config(dataset="xor").to_dict(),
                      epochs=[REPORT], end={"status": "completed", "message": "done"}, **fields)


def test_a_pending_run_is_read_back_by_its_own_history_only(tmp_path: Path) -> None:
    history = tmp_path / "runs.db"
    path = keep_pending(_pending(history, name="n"))
    assert path.parent == tmp_path and path.name.startswith("runs.db.pending-run-3-")
    assert pending_files(history) == [path]
    run = read_pending(path, history)
    assert (run.run_id, run.name, run.end) == (3, "n", {"status": "completed", "message": "done"})
    (epoch,) = run.epochs
    assert epoch.notes == ("η halved",) and epoch.train_cost is None
    other = tmp_path / "elsewhere" / "runs.db"
    assert read_pending(path, other) is None


@pytest.mark.parametrize(("change", "said"), [
    ({"format": "something else"}, "is not a run kept aside"),
    ({"run_id": "3"}, "run_id is not a run id"),
    ({"epochs": [{"epoch": 1}]}, "an epoch has the fields"),
    ({"end": {"status": "completed", "sql": "DROP TABLE runs"}}, "end has unknown fields"),
    ({"name": 5}, "name is not text"),
])
def test_a_damaged_pending_file_is_refused(tmp_path: Path, change: dict, said: str) -> None:
    history = tmp_path / "runs.db"
    path = keep_pending(_pending(history))
    data = {**json.loads(path.read_text()), **change}
    path.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match=said):
        read_pending(path, history)
