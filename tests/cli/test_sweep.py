"""Tests of ``nntui sweep``: every bad value said before anything runs, the runs in this process
with their JSON, Ctrl+C to a real ``nntui sweep`` on a local Dask cluster, a real ``dask
scheduler`` and ``dask worker`` started as processes on 127.0.0.1 (named by --scheduler and by
$NNTUI_DASK_SCHEDULER), and an unreachable scheduler.  Toy data sets and few epochs keep them
fast."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.storage.records import load_run

# A 2-D set, watched at 20 epochs a second so that a run lasts long enough to be caught mid-way.
CIRCLE = ["--dataset", "circle", "--hidden", "4", "--activation", "tanh", "--output", "softmax",
          "--cost", "log-likelihood", "--init", "glorot", "--eta", "0.1", "--regularization",
          "none", "--train-size", "200"]
# The same net with a linear output and quadratic cost: η = 50 diverges in its first epoch.
DIVERGES = ["--dataset", "circle", "--hidden", "8", "--activation", "relu", "--output",
            "linear", "--cost", "quadratic", "--regularization", "none", "--train-size", "200"]


# --- usage errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "words"), [
    (["--vary", "eta=-1,abc", "--vary", "hidden=0", "--vary", "nope=1"],
     ["4 problems", "eta: -1 is out of range", "'abc' is not a number", "a layer of 0 neurons",
      "'nope' is not a hyperparameter"]),
    (["--eta", "0", "--preset", "xor", "--vary", "hidden=0,4", "--vary", "seed=-1"],
     ["3 problems", "--eta: 0 is out of range", "a layer of 0 neurons", "seed: -1"]),
    (["--preset", "nope", "--vary", "eta=1,2"], ["unknown preset 'nope'"]),
    ([], ["nothing to vary"]),
    (["--vary", "eta=1,2", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
     ["--workers sets the size of a local cluster"]),
    (["--vary", "eta=1,2", "--scheduler", "127.0.0.1"], ["missing port number",
                                                         "tcp://10.0.0.5:8786"]),
    (["--vary", "eta=1,2", "--json", "."], ["folder"]),
    (["--vary", "eta=1,2", "--workers", "-1"], ["too small"]),
    (["--dataset", "mnist", "--data-dir", "/no/such/folder", "--vary", "eta=1,2"],
     ["data set mnist"]),
])
def test_usage_errors_exit_2_before_anything_runs(argv: list[str], words: list[str], run_cli,
                                                  tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "runs.db"
    code, out, err = run_cli(["sweep", *argv, "--runs-db", str(db)])
    assert code == 2, err
    for word in words:
        assert word in err, word
    assert "Traceback" not in err and "Sweep " not in out
    assert not db.exists()


# --- in process ----------------------------------------------------------------------------------

def test_in_process_a_diverging_run_is_a_result_and_the_json_holds_every_record(
        tmp_path: Path, run_cli) -> None:
    db, out_file = tmp_path / "runs.db", tmp_path / "sweep.json"
    code, out, err = run_cli(["sweep", *DIVERGES, "--epochs", "3", "--vary", "eta=0.01,50",
                              "--workers", "0", "--name", "eta-check", "--runs-db", str(db),
                              "--json", str(out_file)])
    assert code == 0, err  # a diverging run is a result
    assert "2 runs one after another in this process" in out
    assert re.search(r"η=0\.01 +completed +3/3 ", out)
    assert re.search(r"η=50 +diverged +0/3 ", out)
    assert "η=50: diverged at epoch 1" in err
    with RunHistory(db) as history:
        runs = {r.name: r for r in history.list_runs()}
    assert {r.group for r in runs.values()} == {"eta-check"}
    assert runs["η=0.01"].status == "completed" and runs["η=0.01"].epochs_done == 3
    assert runs["η=50"].status == "diverged"
    data = json.loads(out_file.read_text())
    assert data["sweep"] == "eta-check"
    assert [r["label"] for r in data["runs"]] == ["η=0.01", "η=50"]
    for entry in data["runs"]:
        assert entry["run_id"] == runs[entry["label"]].id
        single = tmp_path / f"run{entry['run_id']}.json"
        single.write_text(json.dumps(entry))
        record = load_run(single)  # the same form as nntui train --json
        assert record.status == entry["status"] and record.config.eta == entry["config"]["eta"]
    assert len(data["runs"][0]["history"]) == 3


# --- a real nntui sweep, stopped with Ctrl+C -----------------------------------------------------

def test_ctrl_c_stops_the_running_runs_keeps_the_finished_and_shuts_the_cluster(
        tmp_path: Path, start_nntui, wait_for_runs) -> None:
    """SIGINT to the whole process group, as a terminal sends it: the two short runs are kept,
    the two running are recorded as stopped, the last two never start, every worker process
    ends, and the exit status is 130."""
    db, out_file = tmp_path / "runs.db", tmp_path / "sweep.json"
    process = start_nntui(["sweep", *CIRCLE, "--pace", "20", "--vary", "epochs=3,400,401",
                           "--vary", "seed=1,2", "--workers", "2", "--runs-db", str(db),
                           "--json", str(out_file), "--name", "ctrl-c"])

    def two_done_two_going(runs) -> bool:
        return sum(r.status == "completed" for r in runs) == 2 and sum(
            r.status == "running" and r.epochs_done >= 1 for r in runs) == 2

    assert wait_for_runs(db, process, two_done_two_going, timeout=60), \
        "the long runs never got going"
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    gone = time.monotonic() + 15
    while time.monotonic() < gone:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("a worker process outlived the sweep")
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Stopped by Ctrl+C: 2 runs not run." in out
    with RunHistory(db) as history:
        runs = {r.name: r for r in history.list_runs()}
    assert {name: r.status for name, r in runs.items()} == {
        "epochs=3 seed=1": "completed", "epochs=3 seed=2": "completed",
        "epochs=400 seed=1": "stopped", "epochs=400 seed=2": "stopped"}
    assert all(0 < runs[f"epochs=400 seed={s}"].epochs_done < 400 for s in (1, 2))
    data = json.loads(out_file.read_text())
    assert [r["status"] for r in data["runs"]] == ["completed", "completed", "stopped",
                                                   "stopped", RunStatus.NOT_RUN, RunStatus.NOT_RUN]


# --- a scheduler and a worker started as processes -----------------------------------------------

def test_a_sweep_on_a_scheduler_and_worker_started_apart(dask_processes: str, tmp_path: Path,
                                                         run_cli, monkeypatch) -> None:
    db = tmp_path / "runs.db"
    code, out, err = run_cli(["sweep", *CIRCLE, "--epochs", "3", "--vary", "eta=0.05,0.5",
                              "--scheduler", dask_processes, "--timeout", "30", "--name",
                              "apart", "--runs-db", str(db)])
    assert code == 0, err
    assert f"on the Dask cluster at {dask_processes}" in out
    assert "the Dask cluster at" in out and "(1 worker)" in out
    assert re.search(r"η=0\.05: completed, 3 epochs.*, on tcp://127\.0\.0\.1:\d+", out)
    # The same cluster named by $NNTUI_DASK_SCHEDULER.
    monkeypatch.setenv("NNTUI_DASK_SCHEDULER", dask_processes)
    code, out, err = run_cli(["sweep", *CIRCLE, "--epochs", "2", "--vary", "seed=3,4",
                              "--name", "from-env", "--runs-db", str(db)])
    assert code == 0, err
    with RunHistory(db) as history:
        runs = history.list_runs()
        details = [history.get_run(r.id) for r in runs]
    assert sorted((r.group, r.name, r.status, r.epochs_done) for r in runs) == [
        ("apart", "η=0.05", "completed", 3), ("apart", "η=0.5", "completed", 3),
        ("from-env", "seed=3", "completed", 2), ("from-env", "seed=4", "completed", 2)]
    assert all(d.pid == os.getpid() for d in details)  # the client recorded them all


def test_an_unreachable_scheduler_fails_within_the_timeout(tmp_path: Path, run_cli,
                                                          free_port: int) -> None:
    address = f"tcp://127.0.0.1:{free_port}"  # nothing listens there
    db = tmp_path / "runs.db"
    code, _, err = run_cli(["sweep", "--dataset", "xor", "--vary", "eta=0.1,1", "--scheduler",
                            address, "--timeout", "1", "--runs-db", str(db)])
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address} within 1 s" in err
    assert "dask scheduler" in err and "Traceback" not in err
    if db.exists():
        with RunHistory(db) as history:
            assert history.list_runs() == []


def test_an_address_that_is_no_dask_scheduler_fails_within_the_timeout(
        tmp_path: Path, start_nntui, http_server: str) -> None:
    """A web server accepts the connection but never answers Dask's handshake (Dask's own
    timeout does not cover it): the sweep gives up after --timeout, and says so."""
    db = tmp_path / "runs.db"
    process = start_nntui(["sweep", "--dataset", "xor", "--epochs", "2", "--vary", "eta=0.5,1",
                           "--scheduler", http_server, "--timeout", "2", "--runs-db", str(db)])
    _, err = process.communicate(timeout=60)  # a bound for a hang, far beyond the 2 s
    assert process.returncode == 1, err
    assert f"cannot reach the Dask scheduler at {http_server} within 2 s" in err
    assert "not as a Dask scheduler" in err and "Traceback" not in err
    if db.exists():
        with RunHistory(db) as history:
            assert history.list_runs() == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_a_sweep_still_connecting(tmp_path: Path, start_nntui, http_server: str,
                                                signum: int, code: int) -> None:
    """SIGTERM (or Ctrl+C) while the sweep waits for a scheduler that will not answer: it gives
    up at once, no run starts, and the exit status says which signal ended it."""
    process = start_nntui(["sweep", "--dataset", "xor", "--epochs", "2", "--vary", "eta=0.5,1",
                           "--scheduler", http_server, "--timeout", "600", "--runs-db",
                           str(tmp_path / "runs.db")])
    assert process.stdout is not None
    assert "Sweep" in process.stdout.readline()  # said before it connects
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)  # a bound for a hang, far below the 600 s
    assert process.returncode == code, err
    assert "2 runs not run" in out and "Traceback" not in err


def test_more_workers_than_runs_start_one_per_run_and_say_so(tmp_path: Path, run_cli,
                                                             monkeypatch) -> None:
    """--workers 10000 for two runs starts two worker processes and says why; more than the
    cores (here, one core) is allowed but said too."""
    monkeypatch.setattr("nntui.cli.study.cores", lambda: 1)
    code, _, err = run_cli(["sweep", "--dataset", "xor", "--epochs", "1", "--vary", "eta=0.5,1",
                            "--workers", "10000", "--quiet", "--runs-db",
                            str(tmp_path / "runs.db")])
    assert code == 0, err
    assert "--workers 10000: 2 runs need only 2 worker processes; starting 2" in err
    assert "2 worker processes share 1 core: each run trains slower than alone" in err
