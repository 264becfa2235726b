"""Tests of the books' comparisons: their labels and configs, running them through the lifecycle
into the run history, Nielsen's saturated neuron, and ``nntui compare`` (in-process, and a real
process stopped by SIGTERM)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from nntui.cli.main import main
from nntui.config import DEFAULTS, make_config
from nntui.engine import Control, EpochReport
from nntui.presets import PRESETS
from nntui.render import plots
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.comparisons import (
    COMPARISONS,
    PLOTS,
    Comparison,
    NeuronOutput,
    difference_labels,
    group_runs,
    neuron_outputs,
    run_comparison,
)
from tests.conftest import Recorder

NEURON = COMPARISONS["saturated-neuron"]


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


# --- labels --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "labels"), [
    ([{"eta": 0.025}, {"eta": 0.25}, {"eta": 2.5}], ["η=0.025", "η=0.25", "η=2.5"]),
    ([{"eta": 0.25, "lmbda": 5}, {"eta": 0.5, "lmbda": 1}], ["η=0.25 λ=5", "η=0.5 λ=1"]),
    ([{"hidden": "30"}, {"hidden": "100"}], ["hidden=30", "hidden=100"]),
    ([{"hidden": "64,64"}, {"hidden": ""}], ["hidden=64,64", "hidden=none"]),
    ([{"init": "large"}, {"init": "normalized"}], ["init=large", "init=normalized"]),
    ([{"regularization": "none", "lmbda": 0}, {"regularization": "l2", "lmbda": 5}],
     ["no regularization", "L2 λ=5"]),
    ([{"regularization": "l1"}, {"regularization": "l2"}], ["L1 λ=5", "L2 λ=5"]),
    ([{"train_size": 1000}, {"train_size": 0}], ["1,000 images", "all images"]),
    ([{"cost": "quadratic"}, {"cost": "cross-entropy"}], ["quadratic", "cross-entropy"]),
    ([{"batch_size": 10, "momentum": 0.9}, {"batch_size": 128, "momentum": 0}],
     ["batch=10 μ=0.9", "batch=128 μ=0"]),
    # What only changes how a run is shown or measured never names it.
    ([{"pace": 5}, {"pace": 50, "eval_train": False}], ["run 1", "run 2"]),
    ([{"eta": 0.5}, {"eta": 0.5, "pace": 3}, {"eta": 0.1}], ["η=0.5 (1)", "η=0.5 (2)", "η=0.1"]),
])
def test_difference_labels_name_what_differs(changes: list[dict], labels: list[str]) -> None:
    configs = [make_config(**values) for values in changes]
    assert difference_labels(configs) == labels


def test_difference_labels_of_the_neuron_and_of_one_run() -> None:
    configs = [make_config(**values) for _, values in NEURON.variants]
    assert difference_labels(configs) == [
        "quadratic η=0.15 w=2 b=2", "cross-entropy η=0.15 w=2 b=2",
        "cross-entropy η=0.005 w=2 b=2", "quadratic η=0.15 w=0.6 b=0.9"]
    assert difference_labels([PRESETS["nielsen-l2"].config()]) == ["nielsen-l2"]
    assert difference_labels([DEFAULTS.replace(eta=0.3)]) == ["run 1"]
    assert difference_labels([]) == []


# --- the comparisons -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(COMPARISONS))
def test_every_comparison_builds_distinct_valid_configs(name: str) -> None:
    comparison = COMPARISONS[name]
    configs = comparison.configs()  # make_config raises on any bad value or pairing
    labels = comparison.labels()
    assert len(configs) == len(labels) >= 2
    assert all(labels) and len(set(labels)) == len(labels)
    assert not any(re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d", label) for label in labels)
    assert len({c.replace(pace=0) for c in configs}) == len(configs)
    assert comparison.plot in PLOTS
    assert comparison.watch and comparison.description and comparison.title
    assert all(c.epochs == 3 for c in comparison.configs(epochs=3))
    if comparison.plot.startswith("train_"):
        assert all(c.eval_train for c in configs)


def test_the_books_values() -> None:
    rates = COMPARISONS["learning-rates"].configs()
    assert [c.eta for c in rates] == [0.025, 0.25, 2.5]
    assert all(c.hidden == (30,) and c.lmbda == 5 and c.regularization == "l2"
               and c.epochs == 30 and c.batch_size == 10 and c.cost == "cross-entropy"
               for c in rates)
    neuron = NEURON.configs()
    assert [(c.cost, c.eta, c.neuron_w, c.neuron_b) for c in neuron] == [
        ("quadratic", 0.15, 2.0, 2.0), ("cross-entropy", 0.15, 2.0, 2.0),
        ("cross-entropy", 0.005, 2.0, 2.0), ("quadratic", 0.15, 0.6, 0.9)]
    assert all(c.epochs == 300 and c.pace == 0 and c.dataset == "neuron" for c in neuron)
    init = COMPARISONS["weight-init"].configs()
    assert [c.init for c in init] == ["large", "normalized"]
    assert all(c.eta == 0.1 and c.lmbda == 5 and c.epochs == 30 for c in init)
    overfit = COMPARISONS["overfitting"].configs()
    assert [c.lmbda for c in overfit] == [0.0, 0.1]
    assert all(c.train_size == 1000 and c.epochs == 400 for c in overfit)
    hidden = COMPARISONS["hidden-neurons"].configs()
    assert [c.hidden for c in hidden] == [(30,), (100,)]
    assert "30 epochs" in COMPARISONS["hidden-neurons"].description  # shortened: says so
    krohn = COMPARISONS["shallow-vs-intermediate"].configs()
    assert krohn[1] == PRESETS["krohn-intermediate"].config()
    assert krohn[0] == PRESETS["krohn-shallow"].config().replace(epochs=20)
    assert "200" in COMPARISONS["shallow-vs-intermediate"].description


def test_a_comparison_rejects_an_unknown_plot() -> None:
    with pytest.raises(ValueError, match="plot must be one of"):
        Comparison("x", "x", "x", "x", "accuracy", (("", {}),))


# --- running one ---------------------------------------------------------------------------------

def test_the_saturated_neuron_in_the_history(tmp_path: Path) -> None:
    """Nielsen's lesson: at the same η the saturated quadratic neuron barely moves for the first
    epochs while the cross-entropy one learns at once."""
    told: list[tuple[int, str]] = []
    with RunHistory(tmp_path / "runs.db") as history:
        results = run_comparison(NEURON, history=history,
                                 on_result=lambda i, r: told.append((i, r.label)))
        runs = history.list_runs()
        assert [r.id for r in group_runs(history, NEURON.name)] == [r.run_id for r in results]
    labels = NEURON.labels()
    assert told == list(enumerate(labels))
    assert [r.label for r in results] == labels
    assert [r.status for r in results] == ["completed"] * 4
    assert sorted(r.name for r in runs) == sorted(labels)
    assert {r.group for r in runs} == {"saturated-neuron"}
    assert all(r.status == "completed" and r.epochs_done == 300 for r in runs)

    outputs = {r.label: dict(r.outputs) for r in results}
    assert all(len(o) == 301 for o in outputs.values())  # epoch 0, before training, and 300
    quadratic, cross_entropy = outputs["quadratic η=0.15"], outputs["cross-entropy η=0.15"]
    assert quadratic[0] == pytest.approx(0.982, abs=1e-3) == cross_entropy[0]
    for epoch in range(1, 51):  # the quadratic output falls more slowly, epoch after epoch
        assert quadratic[0] - quadratic[epoch] < (cross_entropy[0] - cross_entropy[epoch]) / 5
        assert quadratic[epoch] > cross_entropy[epoch] + (0.1 if epoch >= 10 else 0.0)
    assert quadratic[0] - quadratic[50] < 0.01  # stalled near 0.98
    assert cross_entropy[50] < 0.15  # learned
    assert quadratic[300] < 0.3  # it does get there, late
    slow = outputs["cross-entropy η=0.005"]
    assert all(slow[e + 1] < slow[e] for e in range(300))  # no plateau, even at η = 0.005
    easy = outputs["quadratic w=0.6 b=0.9"]
    assert easy[0] == pytest.approx(0.818, abs=1e-3)
    assert easy[300] == pytest.approx(0.09, abs=0.01)  # the book's 0.09 after 300 epochs


def test_a_stop_stops_the_running_variant_and_skips_the_rest(tmp_path: Path) -> None:
    control = Control()

    def stop_at_epoch_5(index, label, config):
        def observe(event):
            if index == 1 and isinstance(event, EpochReport) and event.epoch == 5:
                control.stop()
        return [Recorder(observe)]

    with RunHistory(tmp_path / "runs.db") as history:
        results = run_comparison(NEURON, history=history, control=control,
                                 observers_for=stop_at_epoch_5)
        runs = {r.name: r for r in history.list_runs()}
    assert [r.status for r in results] == ["completed", "stopped", RunStatus.NOT_RUN,
                                           RunStatus.NOT_RUN]
    assert results[1].ended.epochs_run == 5
    assert results[2].ended is None and results[2].run_id is None and not results[2].history
    assert set(runs) == {"quadratic η=0.15", "cross-entropy η=0.15"}
    assert runs["cross-entropy η=0.15"].status == "stopped"
    assert runs["cross-entropy η=0.15"].epochs_done == 5


def test_epochs_override_and_no_history() -> None:
    results = run_comparison(NEURON, epochs=7)
    assert all(r.ended.epochs_run == 7 and r.run_id is None for r in results)
    assert all(r.config.epochs == 7 and len(r.outputs) == 8 for r in results)


def test_neuron_output_records_epoch_zero_and_every_epoch() -> None:
    observer = NeuronOutput()
    run_comparison(NEURON, epochs=3, observers_for=lambda i, label, config: [observer])
    assert [e for e, _ in observer.outputs] == [0, 1, 2, 3]  # the last variant's
    assert observer.at(0) == pytest.approx(0.818, abs=1e-3) and observer.at(4) is None


def test_neuron_outputs_from_the_history_match_the_observer(tmp_path: Path) -> None:
    """What the app can draw from the history alone: a worked back from the recorded cost."""
    with RunHistory(tmp_path / "runs.db") as history:
        results = run_comparison(NEURON, history=history)
        recorded = [history.get_run(r.run_id) for r in results]
    for result, run in zip(results, recorded, strict=True):
        derived = neuron_outputs(run.config, run.history)
        assert [e for e, _ in derived] == [e for e, _ in result.outputs]
        assert [a for _, a in derived] == pytest.approx([a for _, a in result.outputs],
                                                        abs=2e-5)
    assert neuron_outputs(PRESETS["nielsen-l2"].config(), []) == []


def test_group_runs_takes_the_latest_execution(tmp_path: Path) -> None:
    with RunHistory(tmp_path / "runs.db") as history:
        run_comparison(NEURON, history=history, epochs=2)
        second = run_comparison(NEURON, history=history, epochs=3)
        chosen = group_runs(history, NEURON.name)
    assert [r.id for r in chosen] == [r.run_id for r in second]
    assert [r.name for r in chosen] == NEURON.labels()
    assert all(r.epochs_done == 3 for r in chosen)


# --- the overlay plot ---------------------------------------------------------------------------

def _report(epoch: int, train_cost: float | None, val_accuracy: float) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=3, train_cost=train_cost,
                       train_accuracy=None if train_cost is None else 0.5, val_cost=1.0,
                       val_accuracy=val_accuracy, learning_speed=(0.1,), seconds=1.0,
                       examples_per_second=100.0, eta=0.5)


def test_overlay_series_one_per_run_coloured_by_place() -> None:
    runs = [("η=0.025", [_report(1, 2.0, 0.9), _report(2, 1.5, 0.92)]),
            ("η=0.25", [_report(1, 1.0, 0.95)]),
            ("no training figures", [_report(1, None, 0.5)])]
    costs = plots.overlay_series(runs, "train_cost")
    assert [s.label for s in costs] == ["η=0.025", "η=0.25", "no training figures"]
    assert costs[0].x == [1.0, 2.0] and costs[0].y == [2.0, 1.5] and costs[2].y == []
    accuracy = plots.overlay_series(runs, "val_accuracy")
    assert accuracy[1].y == [95.0]
    assert [s.color for s in plots.styles(costs)] == list(plots.PALETTE[:3])
    with pytest.raises(ValueError):
        plots.overlay_series(runs, "output")
    out = plots.output_series([("q", [(0, 0.98), (1, 0.97)])])
    assert out[0].x == [0.0, 1.0] and out[0].y == [0.98, 0.97]
    assert plots.overlay_titles("val_accuracy", "test")[0] == "Test accuracy per epoch (%)"
    assert plots.held_out_word(["test", "validation"]) == "held-out"


def test_plot_overlay_in_terminal_names_every_run() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=60)
    series = plots.output_series([("quadratic", [(0, 0.98), (300, 0.2)]),
                                  ("cross-entropy", [(0, 0.98), (300, 0.01)])])
    plots.plot_overlay_in_terminal(series, plots.overlay_titles("output"), console,
                                   axis=plots.OUTPUT_AXIS)
    text = buffer.getvalue()
    assert "quadratic" in text and "cross-entropy" in text and "Output a" in text
    assert "\x1b[" not in text  # not a terminal: plain characters


# --- nntui compare -------------------------------------------------------------------------------

def test_compare_neuron_prints_lines_table_and_plot(tmp_path: Path, capsys) -> None:
    db, record = tmp_path / "runs.db", tmp_path / "neuron.json"
    code, out, err = _run(["compare", "saturated-neuron", "--plot", "--runs-db", str(db),
                           "--json", str(record)], capsys)
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


def test_compare_mnist_quick_look(tmp_path: Path, capsys) -> None:
    """Two MNIST runs of two epochs: a few seconds."""
    started = time.monotonic()
    code, out, err = _run(["compare", "weight-init", "--epochs", "2", "--plot",
                           "--runs-db", str(tmp_path / "runs.db")], capsys)
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


def test_compare_quiet_prints_only_the_summary(tmp_path: Path, capsys) -> None:
    code, out, _ = _run(["compare", "saturated-neuron", "--quiet", "--epochs", "5",
                         "--runs-db", str(tmp_path / "runs.db")], capsys)
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
def test_usage_errors_exit_2(argv: list[str], words: str, capsys, tmp_path: Path,
                             monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run([*argv, "--runs-db", str(tmp_path / "runs.db")], capsys)
    assert code == 2
    assert words in err
    assert "Traceback" not in err and "[1/" not in out
    assert not (tmp_path / "runs.db").exists()  # nothing ran


def test_unknown_name_lists_every_comparison(capsys) -> None:
    code, _, err = _run(["compare", "learning-rate"], capsys)
    assert code == 2
    assert all(name in err for name in COMPARISONS)


def test_list_and_presets_show_the_comparisons(capsys) -> None:
    code, out, _ = _run(["compare", "--list"], capsys)
    assert code == 0
    assert all(name in out for name in COMPARISONS) and "Watch:" in out
    code, out, _ = _run(["--list-presets"], capsys)
    assert code == 0
    assert "nielsen-l2" in out and all(name in out for name in COMPARISONS)


def test_compare_on_a_local_dask_cluster_gives_the_same_runs(tmp_path: Path, capsys) -> None:
    """The variants through the sweep machinery on two worker processes: the same numbers as
    one after another in this process, recorded the same way."""
    db = tmp_path / "runs.db"
    results = {}
    for how in (["--workers", "2"], ["--workers", "0"]):
        record = tmp_path / f"neuron{how[1]}.json"
        code, out, err = _run(["compare", "saturated-neuron", "--epochs", "20", *how,
                               "--runs-db", str(db), "--json", str(record)], capsys)
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
    assert len(runs) == 8 and {r.group for r in runs} == {"saturated-neuron"}


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("NNTUI_DATA_DIR", None)
    return env


def test_sigterm_stops_the_comparison_and_keeps_what_ran(tmp_path: Path) -> None:
    """SIGTERM during the second variant: it stops after its mini-batch, the third never starts,
    the table says so, and the history holds the first (completed) and the second (stopped)."""
    db = tmp_path / "runs.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "compare", "learning-rates", "--epochs", "3",
         "--runs-db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_subprocess_env())
    try:
        deadline = time.monotonic() + 120
        second_running = False
        while time.monotonic() < deadline and process.poll() is None:
            if db.exists():
                with RunHistory(db) as history:
                    runs = history.list_runs()
                if len(runs) == 2 and runs[0].status == "running":
                    second_running = True
                    break
            time.sleep(0.05)
        assert second_running, "the second variant never started"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
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


def test_a_second_signal_stops_at_once_and_records_the_variant_stopped(tmp_path: Path, capsys,
                                                                       monkeypatch) -> None:
    """Two SIGTERMs in the middle of the second variant: the first asks it to stop after its
    mini-batch, the second leaves at once; the variant is still recorded, as stopped."""
    from nntui.cli import compare as compare_command

    observers = compare_command.ComparisonPrinter.observers

    def with_two_signals(self, index, label, config):
        def then(event):
            if index == 1 and isinstance(event, EpochReport) and event.epoch == 3:
                os.kill(os.getpid(), signal.SIGTERM)
                os.kill(os.getpid(), signal.SIGTERM)
        return [*observers(self, index, label, config), Recorder(then)]

    monkeypatch.setattr(compare_command.ComparisonPrinter, "observers", with_two_signals)
    handler = signal.getsignal(signal.SIGTERM)
    db = tmp_path / "runs.db"
    code, out, err = _run(["compare", "saturated-neuron", "--runs-db", str(db)], capsys)
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
