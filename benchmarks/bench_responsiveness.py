"""How responsive is the app while it trains MNIST at batch 10, and how much training does it cost?

    PYTHONPATH=. python benchmarks/bench_responsiveness.py [--epochs 8] [--blas 1 2] [--pinned 4]

For each BLAS thread count it
1. trains headless (the same trainer, no UI) and notes the examples per second, before and after
   step 2, and takes the mean of the two;
2. runs the app headless (Textual's ``run_test``), starts the same run with F5 and, while it trains,
   presses a key every ~0.1 s (``--interval``), timing each press from the moment the key event
   is posted to the moment the screen has been refreshed after the key's action ran;
3. compares the examples per second the app's epochs report with the headless figure.

With ``--pinned N`` the app's run history (a throwaway one, as always here) holds N pinned runs of
30 epochs, drawn beside the live run in all three plots, so every epoch redraws N + 1 runs.

The last line printed is JSON with ``key_latency_ms_p50``, ``key_latency_ms_p95`` and
``throughput_ratio`` (app ÷ headless) for the app's default BLAS setting (1 thread), plus the
figures for every thread count tried.  Targets: p95 < 50 ms, ratio ≥ 0.9.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import ClassVar

from bench_overlays import history_of
from textual.binding import Binding, BindingType
from threadpoolctl import threadpool_limits

from nntui.config import DEFAULTS, Config
from nntui.engine import EpochReport, Observer
from nntui.runner.experiment import build_trainer, load_data
from nntui.storage.history import RunHistory
from nntui.tui.app import NNTuiApp


class TimedApp(NNTuiApp):
    """The app with one extra key whose action records when it ran and when the screen redrew."""

    # F20: a key no terminal user presses and nntui does not bind (F11, F12 open screens).
    BINDINGS: ClassVar[list[BindingType]] = [
        *NNTuiApp.BINDINGS, Binding("f20", "ping", "Ping", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[float] = []
        self.latencies: list[float] = []

    def action_ping(self) -> None:
        sent = self.sent.pop(0)
        self.call_after_refresh(lambda: self.latencies.append(time.perf_counter() - sent))


def recorded_speeds(db: Path) -> list[float]:
    """The examples per second of every epoch of the last run recorded in ``db``: what the
    app's worker reported, epoch by epoch."""
    with RunHistory(db) as history:
        last = history.list_runs()[0]
        return [report.examples_per_second for report in history.get_run(last.id).history]


class EpochSpeeds(Observer):
    """Keeps the examples per second of every epoch the trainer reports."""

    def __init__(self) -> None:
        self.speeds: list[float] = []

    def on_epoch(self, report: EpochReport) -> None:
        self.speeds.append(report.examples_per_second)


def headless_speed(config: Config, blas: int) -> float:
    data = load_data(config)
    speeds = EpochSpeeds()
    with threadpool_limits(limits=blas):
        build_trainer(config, data, observer=speeds).run()
    return statistics.median(speeds.speeds)


def pin_runs(db: Path, config: Config, count: int, epochs: int = 30) -> None:
    """``count`` finished runs of ``epochs`` epochs, pinned, in the run history at ``db``."""
    with RunHistory(db) as history:
        for run in range(count):
            run_id = history.start_run(config.replace(eta=config.eta * (run + 2)))
            for report in history_of(run, epochs):
                history.add_epoch(run_id, report)
            history.finish_run(run_id, "completed")
            history.set_pinned(run_id, True)


async def app_run(config: Config, blas: int, interval: float,
                  pinned: int = 0) -> tuple[list[float], float]:
    with tempfile.TemporaryDirectory() as runs:
        db = Path(runs) / "runs.db"
        pin_runs(db, config, pinned)
        app = TimedApp(config, runs_dir=Path(runs), runs_db=db, blas_threads=blas)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert len(app.dashboard.overlays) == pinned, app.dashboard.overlays
            app.simulate_key("f5")
            while app.dashboard.run_state.state not in ("training",):
                await asyncio.sleep(0.05)
            rng = random.Random(1)
            while app.dashboard.run_state.state in ("training", "loading data"):
                app.sent.append(time.perf_counter())
                app.simulate_key("f20")
                await asyncio.sleep(interval * (0.8 + 0.4 * rng.random()))
            await asyncio.sleep(0.2)
        speeds = recorded_speeds(db)
    return app.latencies, statistics.median(speeds)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--blas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between presses")
    parser.add_argument("--pinned", type=int, default=0, help="pinned runs drawn beside it")
    args = parser.parse_args()
    config = DEFAULTS.replace(epochs=args.epochs)
    results = {}
    for blas in args.blas:
        # Headless before and after the app run: the machine's speed drifts (other processes,
        # clock), and the mean of the two brackets the app run fairly.
        before = headless_speed(config, blas)
        latencies, in_app = asyncio.run(app_run(config, blas, args.interval, args.pinned))
        headless = (before + headless_speed(config, blas)) / 2
        result = {
            "key_latency_ms_p50": round(1000 * percentile(latencies, 0.5), 2),
            "key_latency_ms_p95": round(1000 * percentile(latencies, 0.95), 2),
            "key_presses": len(latencies),
            "examples_per_s_headless": round(headless),
            "examples_per_s_app": round(in_app),
            "throughput_ratio": round(in_app / headless, 3),
        }
        results[blas] = result
        print(f"BLAS threads {blas}: {json.dumps(result)}", flush=True)
    main_result = dict(results.get(1, next(iter(results.values()))))
    main_result["blas_threads"] = 1 if 1 in results else args.blas[0]
    main_result["pinned_runs"] = args.pinned
    main_result["by_blas_threads"] = results
    print(json.dumps(main_result))


if __name__ == "__main__":
    main()
