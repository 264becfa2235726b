"""How long the UI thread takes to redraw the three plots with pinned runs beside the live one.

    PYTHONPATH=. python benchmarks/bench_overlays.py [--runs 6] [--epochs 400] [--repeats 20]

It records ``--runs`` runs of ``--epochs`` epochs in a throwaway run history (epoch reports with
the shapes real ones have: costs, accuracies and six layers' speeds), pins them, opens the app at
120×40 and times, over ``--repeats`` redraws, what one epoch message costs the UI thread: handing
the curves to the plots and plotext laying out all three.  Target: under 30 ms with 6 runs of
400 epochs.  The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

from nntui.engine import EpochReport
from nntui.presets import PRESETS
from nntui.storage.history import RunHistory
from nntui.tui.app import NNTuiApp
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot


def history_of(run: int, epochs: int) -> list[EpochReport]:
    """Learning curves shaped like MNIST runs: falling cost, rising accuracy, a speed ladder."""
    reports = []
    for epoch in range(1, epochs + 1):
        fall = math.exp(-epoch / (20 + 10 * run))
        reports.append(EpochReport(
            epoch=epoch, epochs=epochs, train_cost=0.2 + 2 * fall, train_accuracy=0.9 - 0.8 * fall,
            val_cost=0.3 + 2 * fall, val_accuracy=0.85 - 0.7 * fall,
            learning_speed=tuple(10.0 ** (-4 + layer) * (0.5 + fall) for layer in range(6)),
            seconds=0.5, examples_per_second=100_000.0, eta=0.5))
    return reports


async def measure(db: Path, runs: int, repeats: int) -> list[float]:
    app = NNTuiApp(PRESETS["speed-of-learning"].config(), runs_dir=db.parent, runs_db=db,
                   show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert len(app.dashboard.overlays) == runs, app.dashboard.overlays
        plots = [app.query_one(kind) for kind in (CostPlot, AccuracyPlot, SpeedPlot)]
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            app.dashboard.draw_plots()
            for plot in plots:
                plot.canvas.render()
            times.append(time.perf_counter() - started)
            await pilot.pause()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "runs.db"
        config = PRESETS["speed-of-learning"].config()
        with RunHistory(db) as history:
            for run in range(args.runs):
                run_id = history.start_run(config.replace(eta=0.1 * (run + 1)))
                for report in history_of(run, args.epochs):
                    history.add_epoch(run_id, report)
                history.finish_run(run_id, "completed")
                history.set_pinned(run_id, True)
        times = asyncio.run(measure(db, args.runs, args.repeats))
    result = {"benchmark": "overlays", "runs": args.runs, "epochs": args.epochs,
              "redraw_ms_median": round(1000 * statistics.median(times), 2),
              "redraw_ms_max": round(1000 * max(times), 2)}
    print(f"{args.runs} pinned runs of {args.epochs} epochs: redrawing three plots takes "
          f"{result['redraw_ms_median']} ms (median), {result['redraw_ms_max']} ms at most")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
