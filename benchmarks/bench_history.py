"""How fast the run history lists and records, beside the time of the epochs it records.

Fills a fresh history (in a temporary folder) with 5,000 runs of 30 epochs each through the real
API, then times:

* opening it (schema check, the search for runs whose process died);
* listing all 5,000 runs (``RunHistory.list_runs()``, target < 200 ms), the newest 50, one run
  with its epochs, and ``nntui runs`` itself (in-process, ``--json`` and the Rich table, output
  thrown away);
* recording one epoch (``RunHistory.add_epoch``: one committed transaction) on that full history,
  as median, 99th percentile and worst of 1,000;
* one [784,30,10] sigmoid/cross-entropy MNIST epoch with mini-batches of 10 (50,000 images,
  training only, one BLAS thread as in the app), to put the recording in proportion (target:
  recording < 1 % of an epoch).

    python benchmarks/bench_history.py              # about a minute
    python benchmarks/bench_history.py --quick      # 1,000 runs, no MNIST epoch (estimated)

Prints a Rich table and, last, one line of JSON with every figure.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_limits

from nntui.cli import runs as runs_command
from nntui.engine import EpochReport, Network, Trainer
from nntui.presets import PRESETS
from nntui.storage.history import RunHistory

STATUSES = ("completed", "stopped", "early stop", "diverged", "completed")


def report(epoch: int, epochs: int) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=epochs, train_cost=0.5 / epoch,
                       train_accuracy=0.9 + epoch / 1000, val_cost=0.6 / epoch,
                       val_accuracy=0.88 + epoch / 1000, learning_speed=(0.0012 / epoch,
                       0.034 / epoch), seconds=0.41, examples_per_second=121_000.0,
                       eta=0.5, notes=("η halved to 0.25",) if epoch == 20 else ())


def fill(history: RunHistory, runs: int, epochs: int, console: Console) -> float:
    """Record ``runs`` runs of ``epochs`` epochs; returns the mean seconds per add_epoch."""
    presets = list(PRESETS.values())
    spent, count = 0.0, 0
    for i in range(runs):
        preset = presets[i % len(presets)]
        run = history.start_run(preset.config(), preset=preset.name,
                                name=f"run {i}" if i % 3 == 0 else "")
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            history.add_epoch(run, report(epoch, epochs))
            spent += time.perf_counter() - start
            count += 1
        history.finish_run(run, STATUSES[i % len(STATUSES)], "benchmark run",
                           test_accuracy=0.9, seconds=epochs * 0.5)
        if (i + 1) % 1000 == 0:
            console.print(f"  recorded {i + 1:,} runs", highlight=False)
    return spent / count


def best_of(repeats: int, call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def cli(argv: list[str], columns: int | None = None) -> None:
    """``nntui runs`` in-process with its output thrown away (as a terminal of ``columns``
    columns when given, else as a pipe)."""
    sink = io.StringIO()
    env = {"COLUMNS": str(columns)} if columns else {}
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            _environ(env):
        code = runs_command.main(argv)
    if code != 0:
        raise SystemExit(f"nntui runs {' '.join(argv)} failed: {sink.getvalue()}")


@contextlib.contextmanager
def _environ(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def mnist_epoch_seconds(repeats: int) -> float:
    from nntui.datasets import load_dataset

    train = load_dataset("mnist", dtype="float32").train
    network = Network([784, 30, 10], activation="sigmoid", output="sigmoid",
                      cost="cross-entropy", init="normalized", seed=1, dtype="float32")
    trainer = Trainer(network, train, train, eta=0.5, batch_size=10, epochs=repeats,
                      eval_train=False, seed=1, progress_interval=0.2)
    epochs = iter(range(1, repeats + 1))
    with threadpool_limits(limits=1, user_api="blas"):
        return best_of(repeats, lambda: trainer._train_epoch(next(epochs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5000, help="runs in the history")
    parser.add_argument("--epochs", type=int, default=30, help="epochs per run")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 runs and no MNIST epoch (0.4 s is assumed)")
    args = parser.parse_args()
    runs = 1000 if args.quick else args.runs
    console = Console(width=None if sys.stdout.isatty() else 100)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="nntui-bench-") as folder:
        path = Path(folder) / "runs.db"
        os.environ["NNTUI_RUNS_DIR"] = str(Path(folder) / "no-old-records")
        console.print(f"Recording {runs:,} runs of {args.epochs} epochs in {path} ...",
                      highlight=False)
        start = time.perf_counter()
        with RunHistory(path) as history:
            figures["add_epoch_mean_while_filling_ms"] = 1000 * fill(history, runs, args.epochs,
                                                                     console)
        figures["fill_seconds"] = time.perf_counter() - start
        figures["file_mib"] = sum(p.stat().st_size for p in Path(folder).glob("runs.db*")) / 2**20

        figures["open_ms"] = 1000 * best_of(5, lambda: RunHistory(path).close())
        with RunHistory(path) as history:
            assert len(history.list_runs()) == runs
            figures["list_all_ms"] = 1000 * best_of(5, history.list_runs)
            figures["list_50_ms"] = 1000 * best_of(5, lambda: history.list_runs(50))
            figures["list_all_best_first_ms"] = 1000 * best_of(
                5, lambda: history.list_runs(order="best"))
            figures["get_run_ms"] = 1000 * best_of(5, lambda: history.get_run(runs // 2))
            figures["cli_json_all_ms"] = 1000 * best_of(
                3, lambda: cli(["--json", "--runs-db", str(path)]))
            figures["cli_table_all_ms"] = 1000 * best_of(
                3, lambda: cli(["--runs-db", str(path)]))
            figures["cli_table_50_ms"] = 1000 * best_of(
                3, lambda: cli(["--limit", "50", "--runs-db", str(path)]))

            run = history.start_run(PRESETS["nielsen-baseline"].config())
            times = []
            for epoch in range(1, 1001):
                entry = report(epoch, 1000)
                start = time.perf_counter()
                history.add_epoch(run, entry)
                times.append(time.perf_counter() - start)
            times.sort()
            figures["add_epoch_median_ms"] = 1000 * statistics.median(times)
            figures["add_epoch_p99_ms"] = 1000 * times[int(0.99 * len(times)) - 1]
            figures["add_epoch_max_ms"] = 1000 * times[-1]

    if args.quick:
        epoch_seconds = 0.4
        console.print("(--quick: the MNIST epoch is not timed; 0.4 s assumed)")
    else:
        console.print("Timing one [784,30,10] batch-10 MNIST epoch (best of 2) ...")
        epoch_seconds = mnist_epoch_seconds(2)
    figures["mnist_epoch_s"] = epoch_seconds
    figures["add_epoch_share_of_epoch_pct"] = (
        100 * figures["add_epoch_median_ms"] / 1000 / epoch_seconds)
    figures["add_epoch_worst_share_pct"] = 100 * figures["add_epoch_max_ms"] / 1000 / epoch_seconds

    table = Table(title=f"Run history: {runs:,} runs × {args.epochs} epochs "
                        f"({figures['file_mib']:.1f} MiB)")
    table.add_column("what", no_wrap=True)
    table.add_column("figure", justify="right", no_wrap=True)
    table.add_column("target", justify="right", no_wrap=True)
    rows = (
        ("fill: mean add_epoch while recording",
         f"{figures['add_epoch_mean_while_filling_ms']:.3f} ms", ""),
        ("open the history", f"{figures['open_ms']:.1f} ms", ""),
        (f"list_runs(): all {runs:,}", f"{figures['list_all_ms']:.1f} ms", "< 200 ms"),
        ("list_runs(order='best'): all", f"{figures['list_all_best_first_ms']:.1f} ms", ""),
        ("list_runs(50)", f"{figures['list_50_ms']:.2f} ms", ""),
        ("get_run: one run with its epochs", f"{figures['get_run_ms']:.2f} ms", ""),
        ("nntui runs --json (all, in-process)", f"{figures['cli_json_all_ms']:.0f} ms", ""),
        ("nntui runs (table of all, in-process)", f"{figures['cli_table_all_ms']:.0f} ms", ""),
        ("nntui runs --limit 50 (in-process)", f"{figures['cli_table_50_ms']:.0f} ms", ""),
        ("add_epoch: median of 1,000", f"{figures['add_epoch_median_ms']:.3f} ms", ""),
        ("add_epoch: 99th percentile", f"{figures['add_epoch_p99_ms']:.3f} ms", ""),
        ("add_epoch: worst", f"{figures['add_epoch_max_ms']:.3f} ms", ""),
        ("one MNIST epoch [784,30,10], batch 10", f"{epoch_seconds:.3f} s", ""),
        ("median add_epoch / epoch", f"{figures['add_epoch_share_of_epoch_pct']:.4f} %", "< 1 %"),
        ("worst add_epoch / epoch", f"{figures['add_epoch_worst_share_pct']:.4f} %", ""),
    )
    for row in rows:
        table.add_row(*row)
    console.print(table)
    print(json.dumps({"benchmark": "history", "runs": runs, "epochs": args.epochs,
                      **{key: round(value, 6) for key, value in figures.items()}}))


if __name__ == "__main__":
    main()
