"""Tests of ``nntui compare``: the lines, table, plot and JSON of a comparison, in this process
and on a local Dask cluster; usage errors; a real process stopped by SIGTERM, and two signals in
a row."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from nntui.engine import EpochReport
from nntui.storage.history import RunHistory
from nntui.studies.comparisons import COMPARISONS

NEURON = COMPARISONS["saturated-neuron"]


def test_compare_neuron_prints_lines_table_and_plot(tmp_path: Path, run_cli) -> None:
    db, record = tmp_path / "runs.db", tmp_path / "neuron.json"
    code, out, err = run_cli(["compare", "saturated-neuron", "--plot", "--runs-db", str(db),
                              "--json", str(record)])
    assert code == 0, err
    assert out.count("completed") >= 8  # a line per variant, a row per variant
    assert "[1/4] quadratic η=0.15: completed, 300 epochs, output a 0.982 → 0.2" in out
    assert "The neuron's output a per epoch" in out
    plot = out[out.index("The neuron's output a per epoch"):]
    for label in NEURON.labels():
        assert label in plot  # in the legend above the plot
    data = json.loads(record.read_text())
    assert data["comparison"] == "saturated-neuron" and data["epochs"] is None
    assert [v["label"] for v in data["variants"]] == NEURON.labels()
    assert len(data["variants"][0]["outputs"]) == 301
    with RunHistory(db) as history:
        assert sorted(r.name for r in history.list_runs()) == sorted(NEURON.labels())


def test_compare_mnist_quick_look(tmp_path: Path, run_cli) -> None:
    """Two MNIST runs of two epochs: a few seconds."""
    started = time.monotonic()
    code, out, err = run_cli(["compare", "weight-init", "--epochs", "2", "--plot",
                              "--runs-db", str(tmp_path / "runs.db")])
    assert code == 0, err
    assert time.monotonic() - started < 60
    assert "every variant cut to 2 epochs (--epochs)" in out
    assert "[1/2] init=large: completed, 2 epochs, best validation accuracy" in out
    assert re.search(r"init=large +completed +2/2 ", out)  # the table's row
    assert re.search(r"init=normalized +completed +2/2 ", out)
    assert "Validation accuracy per epoch (%)" in out
    plot = out[out.index("Validation accuracy per epoch"):]
    assert "init=large" in plot and "init=normalized" in plot
    with RunHistory(tmp_path / "runs.db") as history:
        runs = history.list_runs()
    assert {r.group for r in runs} == {"weight-init"} and len(runs) == 2
    assert all(r.epochs_done == 2 and r.best_val_accuracy > 0.8 for r in runs)
    # Nielsen's argument in figures: the first hidden layer's z, about ten times as spread with
    # N(0, 1) weights, most of its units saturated before training; normalized, none.
    table = out[out.index("Weighted inputs z of hidden 1 on 500 training inputs"):]
    large = re.search(r"init=large +([\d.]+) → [\d.]+ +([\d.]+) % → [\d.]+ % saturated", table)
    normal = re.search(r"init=normalized +([\d.]+) → [\d.]+ +([\d.]+) % → [\d.]+ % saturated",
                       table)
    assert large and normal, table
    assert 7 < float(large[1]) / float(normal[1]) < 13
    assert float(large[2]) > 50 and float(normal[2]) < 2


def test_compare_quiet_prints_only_the_summary(tmp_path: Path, run_cli) -> None:
    code, out, _ = run_cli(["compare", "saturated-neuron", "--quiet", "--epochs", "5",
                            "--runs-db", str(tmp_path / "runs.db")])
    assert code == 0
    assert "[1/4]" not in out and "Watch:" not in out
    assert "cut to 5 epochs" in out and "5/5" in out


@pytest.mark.parametrize(("argv", "words"), [
    (["compare", "nope"], "unknown comparison 'nope'; choose one of saturated-neuron"),
    (["compare"], "name a comparison: saturated-neuron"),
    (["compare", "saturated-neuron", "--epochs", "0"], "--epochs"),
    (["compare", "saturated-neuron", "--json", "."], "folder"),
    (["compare", "saturated-neuron", "--scheduler", "127.0.0.1"], "missing port number"),
    (["compare", "saturated-neuron", "--workers", "-2"], "too small"),
])
def test_usage_errors_exit_2(argv: list[str], words: str, run_cli, tmp_path: Path,
                             monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli([*argv, "--runs-db", str(tmp_path / "runs.db")])
    assert code == 2
    assert words in err
    assert "Traceback" not in err and "[1/" not in out
    assert not (tmp_path / "runs.db").exists()  # nothing ran


def test_unknown_name_lists_every_comparison(run_cli) -> None:
    code, _, err = run_cli(["compare", "learning-rate"])
    assert code == 2
    assert all(name in err for name in COMPARISONS)


def test_list_and_presets_show_the_comparisons(run_cli) -> None:
    code, out, _ = run_cli(["compare", "--list"])
    assert code == 0
    assert all(name in out for name in COMPARISONS) and "Watch:" in out
    code, out, _ = run_cli(["--list-presets"])
    assert code == 0
    assert "nielsen-l2" in out and all(name in out for name in COMPARISONS)


def test_compare_on_a_local_dask_cluster_gives_the_same_runs(tmp_path: Path, run_cli) -> None:
    """The variants through the sweep machinery on two worker processes: the same numbers as
    one after another in this process, recorded the same way."""
    db = tmp_path / "runs.db"
    results = {}
    for how in (["--workers", "2"], ["--workers", "0"]):
        record = tmp_path / f"neuron{how[1]}.json"
        code, out, err = run_cli(["compare", "saturated-neuron", "--epochs", "20", *how,
                                  "--runs-db", str(db), "--json", str(record)])
        assert code == 0, err
        results[how[1]] = json.loads(record.read_text())
        if how[1] == "2":
            assert "4 runs, side by side on Dask" in out
            for index, label in enumerate(NEURON.labels()):
                assert f"[{index + 1}/4] {label}: completed, 20 epochs, output a" in out
    on_dask, here = results["2"]["variants"], results["0"]["variants"]
    assert [v["status"] for v in on_dask] == ["completed"] * 4
    for a, b in zip(on_dask, here, strict=True):
        assert a["label"] == b["label"] and len(a["outputs"]) == 21
        assert a["outputs"] == b["outputs"]  # the same seed, the same numbers
        assert a["run_id"] != b["run_id"]
    with RunHistory(db) as history:
        runs = history.list_runs()
        # The saturation statistics of the runs on Dask came back and were recorded, the same.
        recorded = {r.id: history.saturation(r.id) for r in runs}
    assert len(runs) == 8 and {r.group for r in runs} == {"saturated-neuron"}
    for a, b in zip(on_dask, here, strict=True):
        assert [r["epoch"] for r in recorded[a["run_id"]]] == [0, 20]  # a one-example set
        assert recorded[a["run_id"]] == recorded[b["run_id"]]


def test_sigterm_stops_the_comparison_and_keeps_what_ran(tmp_path: Path, start_nntui,
                                                         wait_for_runs) -> None:
    """SIGTERM during the second variant: it stops after its mini-batch, the third never starts,
    the table says so, and the history holds the first (completed) and the second (stopped)."""
    db = tmp_path / "runs.db"
    process = start_nntui(["compare", "learning-rates", "--epochs", "3", "--runs-db", str(db)])
    second_running = wait_for_runs(
        db, process, lambda runs: len(runs) == 2 and runs[0].status == "running", timeout=120)
    assert second_running, "the second variant never started"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err  # 128 + SIGTERM
    assert "Traceback" not in err
    assert "[1/3] η=0.025: completed, 3 epochs" in out
    assert "[2/3] η=0.25: stopped by SIGTERM" in out
    assert "not run" in out and "Stopped by SIGTERM: 1 variant not run." in out
    with RunHistory(db) as history:
        runs = {r.name: r for r in history.list_runs()}
    assert set(runs) == {"η=0.025", "η=0.25"}
    assert runs["η=0.025"].status == "completed" and runs["η=0.025"].epochs_done == 3
    assert runs["η=0.25"].status == "stopped" and runs["η=0.25"].epochs_done < 3
    assert {r.group for r in runs.values()} == {"learning-rates"}


def test_a_second_signal_stops_at_once_and_records_the_variant_stopped(
        tmp_path: Path, run_cli, make_recorder, monkeypatch) -> None:
    """Two SIGTERMs in the middle of the second variant: the first asks it to stop after its
    mini-batch, the second leaves at once; the variant is still recorded, as stopped."""
    from nntui.cli import compare as compare_command

    observers = compare_command.ComparisonPrinter.observers

    def with_two_signals(self, run):
        def then(event):
            if run.index == 1 and isinstance(event, EpochReport) and event.epoch == 3:
                os.kill(os.getpid(), signal.SIGTERM)
                os.kill(os.getpid(), signal.SIGTERM)
        return [*observers(self, run), make_recorder(then)]

    monkeypatch.setattr(compare_command.ComparisonPrinter, "observers", with_two_signals)
    handler = signal.getsignal(signal.SIGTERM)
    db = tmp_path / "runs.db"
    code, out, err = run_cli(["compare", "saturated-neuron", "--runs-db", str(db)])
    assert code == 143
    assert "stopped at once by a second SIGTERM" in err and "Traceback" not in err
    assert re.search(r"cross-entropy η=0\.15 +stopped +3/300 ", out)
    assert "Stopped by SIGTERM: 2 variants not run." in out
    with RunHistory(db) as history:
        runs = {r.name: r for r in history.list_runs()}
    assert set(runs) == {"quadratic η=0.15", "cross-entropy η=0.15"}
    stopped = runs["cross-entropy η=0.15"]
    assert stopped.status == "stopped" and stopped.epochs_done == 3
    assert "second SIGTERM" in stopped.message
    assert signal.getsignal(signal.SIGTERM) is handler  # put back
