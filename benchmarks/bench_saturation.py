"""What measuring the saturated neurons costs a run: ``python benchmarks/bench_saturation.py``.

Every run carries a :class:`~nntui.runner.saturation.SaturationProbe`, which measures the network
on 500 training images before training and after each epoch (the app also every two seconds or
more during an epoch).  For Nielsen's baseline [784,30,10] (batch 10) and Krohn's 64-64 ReLU net
(batch 128), both on MNIST with one BLAS thread as the app trains, this script trains three
epochs (``--epochs``) through the real :class:`~nntui.runner.lifecycle.Run` three ways, taking
turns five times (``--repeats``) so load on the machine falls on all of them:

* without the probe (``saturation=False``);
* with it, as ``nntui train`` and sweeps run (epoch 0 and each epoch's end);
* with it measuring during the epoch too, as the app runs (``saturation_every=2``).

It prints, per network, the median wall time of each way and its ratio to the run without, and
the probe's own share: the seconds it spent measuring over the run's training seconds (the
epochs' own time, evaluation excluded), which the noise of a shared machine does not blur.  A
run measures once more than it has epochs (epoch 0), so the share of a one-epoch run is about
twice that of a long one.
Target (issue 18): at most 2 % of training time.  The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from threadpoolctl import threadpool_limits

from nntui.config import Config
from nntui.presets import PRESETS
from nntui.runner.lifecycle import Run
from nntui.runner.saturation import SaturationProbe

WAYS = {"without": {"saturation": False}, "epochs": {}, "live": {"saturation_every": 2.0}}


def configs(epochs: int) -> dict[str, Config]:
    return {
        "[784,30,10] sigmoid b10": PRESETS["nielsen-baseline"].config().replace(
            epochs=epochs, pace=0, eval_train=False),
        "[784,64,64,10] ReLU b128": PRESETS["krohn-intermediate"].config().replace(
            epochs=epochs, pace=0, eval_train=False),
    }


def one_run(config: Config, way: str) -> tuple[float, float, float]:
    """Wall seconds of the run, its training seconds, and the probe's seconds."""
    run = Run(config, **WAYS[way])
    began = time.perf_counter()
    run.execute()
    wall = time.perf_counter() - began
    probes = [o for o in run.observers.observers if isinstance(o, SaturationProbe)]
    return wall, sum(r.seconds for r in run.history), sum(p.seconds for p in probes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with threadpool_limits(limits=1):
        for name, config in configs(args.epochs).items():
            walls: dict[str, list[float]] = {way: [] for way in WAYS}
            shares: dict[str, list[float]] = {way: [] for way in WAYS}
            for repeat in range(args.repeats):
                for way in WAYS:
                    wall, training, probe = one_run(config, way)
                    walls[way].append(wall)
                    shares[way].append(probe / training)
                    print(f"  {name} {way:8} repeat {repeat + 1}: {wall:6.2f} s wall, "
                          f"training {training:6.2f} s, probe {1000 * probe:6.1f} ms", flush=True)
            base = statistics.median(walls["without"])
            for way in WAYS:
                wall = statistics.median(walls[way])
                share = statistics.median(shares[way])
                rows.append({"network": name, "way": way, "seconds": round(wall, 3),
                             "ratio": round(wall / base, 4), "probe_share": round(share, 5)})
                print(f"{name:26} {way:8} {wall:7.2f} s  ×{wall / base:.3f} of without  "
                      f"probe {100 * share:.2f} % of training")
    print(json.dumps({"benchmark": "saturation", "repeats": args.repeats,
                      "epochs": args.epochs, "rows": rows}))


if __name__ == "__main__":
    main()
