"""A sweep on a local Dask cluster against the same runs one after another with ``nntui train``.

Four MNIST runs of 3 epochs ([784,30,10], the nielsen-l2 preset, η = 0.1, 0.25, 0.5, 1):

* one after another: four ``nntui train --preset nielsen-l2 --epochs 3 --eta X --quiet``
  processes, as a person would type them (each starts Python and loads MNIST);
* as one sweep: ``nntui sweep --preset nielsen-l2 --epochs 3 --vary eta=0.1,0.25,0.5,1
  --workers 2 --quiet`` (one process: it starts a local cluster of 2 worker processes, each
  loads MNIST once and trains two of the runs);

and, apart, the fixed cost of a local cluster: starting ``DaskExecutor(workers=2)`` (a scheduler
and two worker processes with their nannies) and shutting it down, in this process.

    python benchmarks/bench_sweep.py               # one round, about a minute on 2 cores
    python benchmarks/bench_sweep.py --repeats 3   # best of 3 rounds
    python benchmarks/bench_sweep.py --epochs 10   # longer runs: the fixed costs weigh less

Every run goes to a history in a temporary folder.  Prints a Rich table and, last, one line of
JSON with every figure.  Asserts nothing.  On 2 cores the ratio cannot pass 2: the runs are
CPU-bound and each worker is single-threaded; the cluster's start, each worker's loading of
MNIST and the client's own work (receiving the epochs, writing the history) come off it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ETAS = ("0.1", "0.25", "0.5", "1")
EPOCHS = 3


def _nntui(args: list[str], db: Path) -> float:
    """Wall time of one ``nntui`` command, in its own process; raises if it fails."""
    env = dict(os.environ)
    env.pop("NNTUI_DASK_SCHEDULER", None)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nntui", *args, "--runs-db", str(db)],
                          capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"nntui {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def _run_seconds(db: Path) -> list[float]:
    from nntui.storage.history import RunHistory

    with RunHistory(db) as history:
        return [run.seconds or 0.0 for run in history.list_runs()]


def _base(epochs: int) -> list[str]:
    return ["--preset", "nielsen-l2", "--epochs", str(epochs), "--quiet"]


def one_after_another(folder: Path, epochs: int) -> tuple[float, list[float]]:
    db = folder / "sequential.db"
    total = sum(_nntui(["train", *_base(epochs), "--eta", eta], db) for eta in ETAS)
    return total, _run_seconds(db)


def as_a_sweep(folder: Path, workers: int, epochs: int) -> tuple[float, list[float]]:
    db = folder / "sweep.db"
    total = _nntui(["sweep", *_base(epochs), "--vary", "eta=" + ",".join(ETAS), "--workers",
                    str(workers), "--name", "bench"], db)
    return total, _run_seconds(db)


def cluster_cost(workers: int, repeats: int) -> tuple[float, float]:
    """Median seconds to start a local cluster and to shut it down, in this process."""
    from nntui.studies.dask_executor import DaskExecutor

    starts, stops = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        executor = DaskExecutor(workers=workers).start()
        starts.append(time.perf_counter() - began)
        began = time.perf_counter()
        executor.close()
        stops.append(time.perf_counter() - began)
    return statistics.median(starts), statistics.median(stops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="rounds; the best is kept")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the sweep")
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help="epochs of each run (longer runs leave the fixed costs smaller)")
    args = parser.parse_args()
    console = Console()
    sequential, sweep = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.repeats):
            folder = Path(tmp) / f"round{round_}"
            folder.mkdir()
            console.print(f"round {round_ + 1}/{args.repeats}: 4 × nntui train …")
            sequential.append(one_after_another(folder, args.epochs))
            console.print(f"round {round_ + 1}/{args.repeats}: nntui sweep --workers "
                          f"{args.workers} …")
            sweep.append(as_a_sweep(folder, args.workers, args.epochs))
    console.print("cluster start and shutdown, 3 times …")
    start, stop = cluster_cost(args.workers, 3)
    seq_total, seq_runs = min(sequential)
    sweep_total, sweep_runs = min(sweep)
    table = Table(title=f"4 MNIST runs of {args.epochs} epochs ([784,30,10], batch 10), best "
                        f"of {args.repeats}")
    table.add_column("how")
    table.add_column("wall s", justify="right")
    table.add_column("s per run, as recorded (load, train, test)", justify="right")
    table.add_row("4 × nntui train, one after another", f"{seq_total:.1f}",
                  " ".join(f"{s:.1f}" for s in sorted(seq_runs)))
    table.add_row(f"nntui sweep, {args.workers} workers", f"{sweep_total:.1f}",
                  " ".join(f"{s:.1f}" for s in sorted(sweep_runs)))
    console.print(table)
    ratio = seq_total / sweep_total
    console.print(f"speed-up of the sweep: {ratio:.2f}× (cores: {os.cpu_count()})")
    console.print(f"local cluster of {args.workers} workers: start {start:.2f} s, shutdown "
                  f"{stop:.2f} s (median of 3)")
    print(json.dumps({"benchmark": "sweep", "repeats": args.repeats, "workers": args.workers,
                      "epochs": args.epochs,
                      "sequential_seconds": round(seq_total, 3),
                      "sweep_seconds": round(sweep_total, 3), "ratio": round(ratio, 3),
                      "sequential_run_seconds": [round(s, 3) for s in sorted(seq_runs)],
                      "sweep_run_seconds": [round(s, 3) for s in sorted(sweep_runs)],
                      "cluster_start_seconds": round(start, 3),
                      "cluster_close_seconds": round(stop, 3)}))


if __name__ == "__main__":
    main()
