"""``nntui train --expand``: Nielsen's expanded MNIST from the command line, in a real process,
recorded as such; and the flag refused, before anything trains, for a set that is not images."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from nntui.storage.history import RunHistory


def test_a_real_process_trains_on_expanded_images(tmp_path: Path,
                                                  subprocess_env: dict[str, str]) -> None:
    db, record = tmp_path / "runs.db", tmp_path / "run.json"
    result = subprocess.run(
        [sys.executable, "-m", "nntui", "train", "--expand", "yes", "--train-size", "500",
         "--epochs", "1", "--runs-db", str(db), "--json", str(record)],
        capture_output=True, text=True, timeout=120, env=subprocess_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("mnist expanded hidden=30 "), out
    assert "training set expanded 5× by one-pixel shifts: 2,500 training examples" in out
    assert "Epoch 1/1" in out and "val_accuracy:" in out
    data = json.loads(record.read_text())
    assert data["config"]["expand"] is True and data["config"]["train_size"] == 500
    assert data["status"] == "completed"
    assert 0.5 < data["history"][0]["val_accuracy"] <= 1.0  # it learned from the bytes
    with RunHistory(db) as history:
        [summary] = history.list_runs()
        run = history.get_run(summary.id)
        assert run.config.expand is True and run.config.train_size == 500


def test_expand_on_a_toy_set_is_a_usage_error(run_cli: Callable) -> None:
    code, out, err = run_cli(["train", "--dataset", "circle", "--expand", "yes", "--epochs",
                              "1"])
    assert code == 2
    assert "--expand: expanding shifts each training image by a pixel" in err
    assert "set expand to no or choose an image set" in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Epoch" not in out


def test_expand_takes_yes_or_no(run_cli: Callable) -> None:
    code, _, err = run_cli(["train", "--expand", "maybe", "--epochs", "1"])
    assert code == 2 and "--expand: expected yes or no" in err


def test_help_lists_the_flag_with_its_default(run_cli: Callable) -> None:
    code, out, _ = run_cli(["train", "--help"])
    assert code == 0
    flat = " ".join(out.split())
    assert "--expand {yes,no}" in flat
    assert "shifted one pixel up, down, left and right: 5× the images" in flat
    entry = flat.split("--expand {yes,no} ", 1)[1]  # the flag's own entry, not the usage line
    assert entry.startswith("Add each training image") and "default no]" in entry[:150]
