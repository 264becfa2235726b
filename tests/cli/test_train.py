"""Tests of ``nntui train``: output files, presets, every kind of bad input, divergence, Ctrl+C.

Most run ``nntui.cli.main`` in-process on the 2-D XOR set (well under a second each); two start a
real ``python -m nntui`` process, because exit codes, stderr and signal handling are only real
there.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nntui.cli.main import main
from nntui.presets import PRESETS
from nntui.runner import saturation
from nntui.storage.networks import load_network

SMALL = ["train", "--dataset", "xor", "--epochs", "2", "--hidden", "6"]
EPOCH_KEYS = {"epoch", "train_cost", "train_accuracy", "val_cost", "val_accuracy",
              "learning_speed", "seconds"}


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_small_run_prints_keras_like_lines(capsys) -> None:
    code, out, err = _run(SMALL, capsys)
    assert code == 0, err
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "val_accuracy:" in out and "loss:" in out
    assert "test_accuracy" in out
    assert err == ""


def test_json_matches_the_documented_schema(tmp_path: Path, capsys) -> None:
    path = tmp_path / "run.json"
    code, _, err = _run([*SMALL, "--json", str(path)], capsys)
    assert code == 0, err
    data = json.loads(path.read_text())
    assert {"config", "history", "test_accuracy", "seconds"} <= set(data)
    assert data["config"]["dataset"] == "xor" and data["config"]["hidden"] == [6]
    assert data["config"]["epochs"] == 2
    assert [entry["epoch"] for entry in data["history"]] == [1, 2]
    for entry in data["history"]:
        assert set(entry) >= EPOCH_KEYS
        for key in ("train_accuracy", "val_accuracy"):
            assert 0.0 <= entry[key] <= 1.0  # fractions, not percentages
        assert entry["train_cost"] > 0 and entry["val_cost"] > 0
        assert len(entry["learning_speed"]) == 2  # hidden and output layer
        assert entry["seconds"] > 0
    assert 0.0 <= data["test_accuracy"] <= 1.0
    assert data["seconds"] > 0
    assert data["status"] == "completed"


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_save_then_load(tmp_path: Path, capsys, suffix: str) -> None:
    path = tmp_path / f"net{suffix}"
    code, out, err = _run([*SMALL, "--save", str(path)], capsys)
    assert code == 0, err
    assert f"Saved the network to {path}" in out
    config, network = load_network(path)
    assert config.dataset == "xor" and network.sizes == [2, 6, 2]


def test_list_presets(capsys) -> None:
    code, out, _ = _run(["train", "--list-presets"], capsys)
    assert code == 0
    for name in PRESETS:
        assert name in out


def test_preset_with_override(tmp_path: Path, capsys) -> None:
    """krohn-intermediate on MNIST, cut to one epoch on the first 2,000 images by flags."""
    path = tmp_path / "run.json"
    code, out, err = _run(["train", "--preset", "krohn-intermediate", "--epochs", "1",
                           "--train-size", "2000", "--json", str(path)], capsys)
    assert code == 0, err
    config = json.loads(path.read_text())["config"]
    assert config["epochs"] == 1 and config["train_size"] == 2000
    assert config["hidden"] == [64, 64] and config["activation"] == "relu"
    assert config["batch_size"] == 128 and config["eta"] == 0.1
    assert "Epoch 1/1" in out


@pytest.mark.parametrize(("flags", "words"), [
    (["--eta", "abc"], "--eta: 'abc' is not a number"),
    (["--eta", "-1"], "--eta: -1 is out of range"),
    (["--hidden", "3,x"], "--hidden: 'x' is not a layer size"),
    (["--cost", "log-likelihood", "--output", "sigmoid"], "log-likelihood needs a softmax"),
    (["--preset", "nope"], "unknown preset 'nope'"),
    (["--activation", "swish"], "--activation"),
])
def test_bad_values_exit_2_with_one_line(capsys, flags: list[str], words: str) -> None:
    code, out, err = _run([*SMALL, *flags], capsys)
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert "Epoch" not in out  # nothing was trained


def test_missing_data_dir_exits_1(capsys) -> None:
    code, _, err = _run(["train", "--epochs", "1", "--data-dir", "/nonexistent"], capsys)
    assert code == 1
    assert "Could not find the MNIST data files" in err
    assert "/nonexistent" in err and "--data-dir" in err
    assert "Traceback" not in err


def test_diverging_run_exits_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "run.json"
    code, _, err = _run([*SMALL, "--output", "linear", "--cost", "quadratic", "--eta", "100",
                         "--json", str(path)], capsys)
    assert code == 1
    assert "diverged" in err and "smaller η" in err
    assert json.loads(path.read_text())["status"] == "diverged"


def test_plot_prints_the_plots(capsys) -> None:
    code, out, err = _run([*SMALL, "--plot"], capsys)
    assert code == 0, err
    assert "epoch" in out
    assert "‖∂C/∂b‖" in out
    assert len(out.splitlines()) > 30


def test_help_shows_defaults_as_the_form_does(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one line per flag, so phrases are not wrapped
    code, out, _ = _run(["train", "--help"], capsys)
    assert code == 0
    assert "defaults: Nielsen's ch. 3 network with L2, λ = 5 — the nielsen-l2 preset" in out
    for phrase in ("[0 ≤ λ ≤ 1000; default 5]", "default 30]", "[one of yes, no; default yes]",
                   "default 0.5]", "default 0]"):
        assert phrase in out
    for wrong in ("default 5.0", "default True", "default [30]", "default 0.0"):
        assert wrong not in out
    assert out.index("--epochs") < out.index("--pace") < out.index("--regularization")


def test_pace_flag_and_preset_pace(tmp_path: Path, capsys) -> None:
    """xor's preset paces itself; --pace 0 overrides it, and a pace caps a run's rate."""
    assert PRESETS["xor"].config().pace > 0
    path = tmp_path / "run.json"
    code, _, err = _run(["train", "--preset", "xor", "--epochs", "2", "--pace", "0", "--json",
                         str(path)], capsys)
    assert code == 0, err
    assert json.loads(path.read_text())["config"]["pace"] == 0
    began = time.perf_counter()
    code, _, err = _run([*SMALL, "--epochs", "4", "--pace", "20", "--json", str(path)], capsys)
    assert code == 0, err
    assert time.perf_counter() - began >= 0.9 * 3 / 20
    assert json.loads(path.read_text())["config"]["pace"] == 20


def test_quiet_prints_only_the_summary(capsys) -> None:
    code, out, _ = _run([*SMALL, "--quiet"], capsys)
    assert code == 0
    assert "Epoch" not in out and "test_accuracy" in out


def test_hints_are_printed_as_they_are_noticed_with_the_flag_to_use(capsys) -> None:
    argv = ["train", "--preset", "xor", "--eta", "5", "--epochs", "20"]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    # Which epoch the cost's oscillation is first noticed in depends on the processor's float
    # rounding (epoch 3 on one machine, 4 on another): the test asks only that it is noticed early
    # and printed after its own epoch's line.
    hint = next(line for line in out.splitlines() if "η = 5 looks too high" in line)
    epoch = int(re.match(r"Hint \(epoch (\d+)\)", hint).group(1))
    assert epoch <= 6 and "try 0.5 (--eta 0.5)" in hint
    assert "(F9)" not in out  # the app's key means nothing here
    assert out.index(hint) > out.index(f"Epoch {epoch}/20")  # after its epoch's line
    _, quiet, _ = _run([*argv, "--quiet"], capsys)
    assert "Hint" not in quiet


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("NNTUI_DATA_DIR", None)
    return env


def test_real_process_bad_value_and_good_run(tmp_path: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "nntui", *SMALL, "--eta", "abc"],
                         capture_output=True, text=True, timeout=60, env=_subprocess_env())
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "nntui: error: --eta: 'abc' is not a number"]
    path = tmp_path / "run.json"
    good = subprocess.run([sys.executable, "-m", "nntui", *SMALL, "--json", str(path)],
                          capture_output=True, text=True, timeout=60, env=_subprocess_env())
    assert good.returncode == 0, good.stderr
    assert len(json.loads(path.read_text())["history"]) == 2


def test_ctrl_c_stops_cleanly_and_keeps_the_history(tmp_path: Path) -> None:
    """SIGINT during an MNIST run: the current epoch is abandoned, the finished ones are kept."""
    path = tmp_path / "run.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "train", "--epochs", "50", "--json", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_subprocess_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if path.exists() and json.loads(path.read_text())["history"]:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert path.exists(), "no epoch was written within 60 s"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err  # 128 + SIGINT, as the shell expects
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    # Mid-epoch as a rule; between two epochs (while the saturation probe measures the epoch
    # that ended) the next one had not begun, and the line says so.
    assert ("Stopped by Ctrl+C during epoch " in out and " mini-batches (" in out) \
        or "Stopped by Ctrl+C before epoch " in out, out
    data = json.loads(path.read_text())
    assert data["status"] == "stopped"
    assert len(data["history"]) >= 1
    assert len(data["history"]) < 50


@pytest.mark.parametrize(("extra", "words"), [
    (["--save", "net.pkl"], "name the file .npz or .json"),
    (["--json", "same.json", "--save", "same.json"], "name the same file"),
    (["--json", ""], "--json needs a file name"),
    (["--save", ""], "--save needs a file name"),
    (["--json", "."], "folder"),
])
def test_outputs_are_checked_before_the_first_epoch(tmp_path: Path, capsys, monkeypatch,
                                                    extra: list[str], words: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run([*SMALL, *extra], capsys)
    assert code == 2
    assert words in err
    assert "Epoch 1" not in out and "History written" not in out
    assert not list(tmp_path.iterdir())  # nothing trained, nothing written


def test_a_record_that_cannot_be_written_is_not_reported_written(tmp_path: Path, capsys,
                                                                 monkeypatch) -> None:
    from nntui.storage import records as runs

    def full_disk(*args, **kwargs):
        raise runs.RunFileError("could not write run.json: No space left on device")

    monkeypatch.setattr(runs.RunRecord, "save", full_disk)
    code, out, err = _run([*SMALL, "--json", str(tmp_path / "run.json")], capsys)
    assert code == 1
    assert "History written" not in out
    assert "No space left on device" in err and "training goes on" in err
    assert "best val_accuracy" in out  # the run itself still finished and says how it did


@pytest.mark.parametrize(("signum", "code", "name"), [
    (signal.SIGTERM, 143, "SIGTERM"),
    (signal.SIGHUP, 129, "SIGHUP"),
])
def test_termination_signals_stop_like_ctrl_c(tmp_path: Path, signum: int, code: int,
                                              name: str) -> None:
    """A terminal closing (SIGHUP) or a kill (SIGTERM) stops after the mini-batch and records."""
    path = tmp_path / "run.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "train", "--dataset", "circle", "--train-size",
         "20000", "--batch-size", "1", "--hidden", "16", "--epochs", "50", "--json", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_subprocess_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if path.exists() and json.loads(path.read_text())["history"]:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be stopped"
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code, err
    assert "Traceback" not in err
    assert f"Stopped by {name} during epoch " in out
    data = json.loads(path.read_text())
    assert data["status"] == "stopped" and 1 <= len(data["history"]) < 50


def test_a_run_that_cannot_fit_in_memory_is_refused_before_it_starts(tmp_path: Path) -> None:
    """Under a 3 GiB address-space limit, two layers of 4,096 at batch 60,000 (about 8.6 GiB of
    buffers) are refused with advice and recorded as failed, instead of a MemoryError."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    db = tmp_path / "runs.db"
    result = subprocess.run(
        [sys.executable, "-m", "nntui", "train", "--hidden", "4096,4096", "--batch-size",
         "60000", "--epochs", "1", "--train-size", "50000", "--runs-db", str(db)],
        capture_output=True, text=True, timeout=120, env=_subprocess_env(), preexec_fn=limit)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "needs about 8.6 GiB" in result.stderr and "smaller batch size" in result.stderr
    from nntui.storage.history import RunHistory

    with RunHistory(db) as history:
        [run] = history.list_runs()
        assert run.status == "failed" and "needs about" in run.message


def test_memory_estimate_grows_with_the_batch_and_the_layers() -> None:
    from nntui.config import make_config
    from nntui.runner.experiment import load_data, memory_needed

    small = make_config(dataset="xor", hidden="8")
    data = load_data(small)
    assert memory_needed(small.replace(batch_size=100), data) > memory_needed(small, data)
    assert memory_needed(small.replace(hidden=(64, 64)), data) > memory_needed(small, data)
    assert memory_needed(small.replace(momentum=0.9), data) > memory_needed(small, data)


def test_load_trains_on_from_a_saved_network(tmp_path: Path, capsys) -> None:
    first = tmp_path / "first.npz"
    code, _, err = _run([*SMALL, "--epochs", "20", "--save", str(first)], capsys)
    assert code == 0, err
    code, out, err = _run(["train", "--load", str(first), "--epochs", "1"], capsys)
    assert code == 0, err
    assert "xor hidden=6" in out  # the saved network's config, with --epochs changed
    accuracy = float(out.split("val_accuracy: ")[1].split()[0])
    _, fresh_out, _ = _run([*SMALL, "--epochs", "1"], capsys)
    fresh = float(fresh_out.split("val_accuracy: ")[1].split()[0])
    assert accuracy > fresh + 0.15  # one epoch on from trained weights, not from new ones
    code, _, err = _run(["train", "--load", str(first), "--hidden", "8"], capsys)
    assert code == 1 and "the loaded network has layers 2-6-2" in err
    code, _, err = _run(["train", "--load", str(tmp_path / "missing.npz")], capsys)
    assert code == 2 and "--load" in err


def test_a_second_ctrl_c_stops_at_once_and_exits_130(capsys, monkeypatch) -> None:
    """The second signal arrives while the run is already stopping (here: inside the trainer)."""
    from nntui.engine import training
    from nntui.runner.signals import Interrupted

    calls = []
    original = training.Trainer._train_epoch

    def twice(self, epoch):
        if not calls:
            calls.append(epoch)
            handler = signal.getsignal(signal.SIGINT)
            handler(signal.SIGINT, None)  # the first Ctrl+C: stop after the mini-batch
            handler(signal.SIGINT, None)  # the second: now
        return original(self, epoch)

    monkeypatch.setattr(training.Trainer, "_train_epoch", twice)
    code, out, err = _run([*SMALL, "--epochs", "5"], capsys)
    assert code == 130
    assert "stopped at once by a second Ctrl+C" in err
    assert "Traceback" not in err and "failed" not in out + err
    assert Interrupted.__mro__[1] is BaseException


# --- nntui train --confusion -------------------------------------------------------------------

def test_train_confusion_prints_the_test_matrix(capsys) -> None:
    code, out, err = _run([*SMALL, "--confusion"], capsys)
    assert code == 0, err
    assert "Confusion matrix, test set" in out
    assert "prec." in out and "acc." in out and "true class ↓, predicted →" in out
    assert "most frequent confusion" in out or "no confusions" in out


def test_the_saturated_fractions_are_printed_before_training_and_after_measured_epochs(
        capsys, monkeypatch) -> None:
    """A ReLU net's hidden layers are judged by their dead units, its softmax output by
    saturation; each line names which, fits 80 columns, and follows its epoch's line (every
    epoch measured here, as MNIST's are)."""
    monkeypatch.setattr(saturation, "EVERY_SAMPLES", 1)
    code, out, err = _run([*SMALL, "--activation", "relu", "--output", "softmax",
                           "--cost", "log-likelihood", "--hidden", "6,4"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert any(line.startswith("Units: saturated = σ′(z) below max/10; dead = a ReLU never "
                               "active; on ") for line in lines)
    fraction = r"\d+\.\d %"
    shape = (rf"dead: hidden 1 {fraction}, hidden 2 {fraction} · saturated: output {fraction}")
    before = next(line for line in lines if line.startswith("before"))
    assert re.fullmatch(rf"before training, {shape}", before)
    for epoch in (1, 2):
        after = lines[lines.index(f"Epoch {epoch}/2") + 2]
        assert re.fullmatch(shape, after) and len(after) <= 80


def test_a_quiet_run_prints_no_fractions(capsys) -> None:
    code, out, _ = _run([*SMALL, "--quiet"], capsys)
    assert code == 0 and "saturated" not in out
