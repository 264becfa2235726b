"""How much of an epoch no engine can save: the floor's products, timed inside a real epoch.

``bench_epoch.py`` divides an epoch's time by its *floor*: the matrix products of one mini-batch,
each timed alone in a tight loop on the same few buffers, so every operand is already in cache.
An epoch cannot run that way.  Each mini-batch brings ten (or 128) new images gathered from
random rows of the 157 MB training set, the first layer's weights and their gradient pass through
the cache again, and every step of SGD must apply its gradient to the weights.  This script
measures those costs, in one process, for the cells of ``bench_epoch.py`` that issue 11 targets
(float32, one BLAS thread), each as a ratio to the same floor:

1. **floor**: ``bench_epoch.matmul_floor``, as there.
2. **the products in an epoch**: the same products, in the order the engine makes them
   (forward Zᵀ = W·Aᵀ or Z = A·Wᵀ, weight gradient δᵀ·A, backward δ·W), on the examples of a
   shuffled epoch gathered as the trainer gathers them (``np.take`` of 1,024 rows into one buffer,
   mini-batches as views), with the Python loop over mini-batches.  Nothing else: no bias, no
   activation, no output error, no update.
3. **+ the updates**: the same, and each weight matrix takes its step, W −= step, which any SGD
   must do once per mini-batch (for the 30×784 first layer, 23,520 numbers read twice and
   written once).
4. **nntui's step, in cache**: nntui's backprop and update (``Network.backprop`` and
   ``Trainer._update``) run again and again on one mini-batch, times the mini-batches of an
   epoch: everything one step computes (biases, activations, σ′, the output error, the update),
   with no new examples and no bookkeeping.
5. **nntui**: one epoch of the real trainer (``Trainer._train_epoch``).

Rows 2 and 3 are lower bounds for any NumPy engine that trains on shuffled mini-batches: every
activation, σ′, output error, bias and bookkeeping call comes on top of them.  Row 4 minus the
floor is what those calls cost when nothing else competes for the cache.

Row 3 is the **epoch floor**, the least any SGD epoch of the network can cost; the column
"/ epoch floor" divides by it, and the targets of issue 20 are set on it: nntui ≤ 1.45× at
[784,30,10] batch 10, ≤ 1.15× for the 64-64 ReLU net at batch 128.  Beside nntui the same run
times:

* **a plain NumPy loop** (``plain_loop.py``): the same algorithm, buffers and gathering, with
  none of nntui's statistics, observers or control; "nntui/plain" at most 1.00× means they cost
  nntui nothing a plain loop would save;
* **nntui with each option** (L2, L1, momentum, dropout), a row each: what the option adds to an
  epoch (column "vs nntui"); and nntui on the same images stored as uint8 bytes (as Nielsen's
  expanded MNIST is kept), which the trainer converts each stretch as it gathers it;
* **the two statistics nntui always keeps**, each timed alone on the trainer after its epochs: the
  speed of learning (the rows of bias steps squared and summed once a stretch) and the running
  cost (every output of the epoch priced once), as a share of nntui's epoch.

All epochs take turns (one of each row, ``--repeats`` times), so a busy moment of the machine
falls on every row; compare rows of one run, not figures of different runs.

    python benchmarks/bench_floor.py              # best of 3 epochs per row, about 1 minute
    python benchmarks/bench_floor.py --repeats 5

Prints a Rich table and, last, one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from itertools import pairwise

import numpy as np
from bench_epoch import (  # benchmarks/
    CASES,
    N_TRAIN,
    Case,
    matmul_floor,
    plain_runner,
    trainer_epochs,
    trainer_for,
)
from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_limits

from nntui.datasets import Split, load_dataset
from nntui.engine import Network, Trainer
from nntui.engine.training import GATHER_ROWS

DTYPE = "float32"
# Issue 20: nntui's epoch over the in-epoch floor (the row "+ the updates W −= step").
TARGETS = {CASES[0].name: 1.45, CASES[2].name: 1.15}
EPOCH_FLOOR = "+ the updates W −= step"
# What each of nntui's options is timed with (a row each), on top of the plain "nntui" row.
OPTIONS = {
    "nntui + L2 λ = 5": {"regularization": "l2", "lmbda": 5.0},
    "nntui + L1 λ = 5": {"regularization": "l1", "lmbda": 5.0},
    "nntui + momentum μ = 0.9": {"momentum": 0.9},
    "nntui + dropout p = 0.5": {"dropout": 0.5},
}
BYTES = "nntui + inputs stored as uint8"
SPEED, RUNNING = "  its speed of learning", "  its running cost"


def products_epoch(case: Case, x: np.ndarray, *, updates: bool) -> Callable[[], None]:
    """A function that runs one epoch of ``case``'s matrix products (and, with ``updates``, the
    weight steps) on shuffled, gathered mini-batches of ``x``, and nothing else."""
    rng = np.random.default_rng(1)
    dtype = x.dtype
    n, m = len(x), case.batch
    stretch = min(n, max(1, GATHER_ROWS // m) * m)
    gathered = np.empty((stretch, x.shape[1]), dtype)
    layers = list(pairwise(case.sizes))
    # Small random values everywhere: the products' time does not depend on them, as long as
    # none is NaN, infinite or subnormal (np.empty could hold any of those).
    def noise(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.01).astype(dtype)

    weights = [noise(n_out, n_in) for n_in, n_out in layers]
    steps = [np.empty_like(w) for w in weights]

    def buffers(rows: int) -> dict[str, list[np.ndarray]]:
        return {
            "z": [noise(rows, n_out) for _, n_out in layers],
            "zt": [noise(n_out, rows) for _, n_out in layers],
            "delta": [noise(rows, n_out) for _, n_out in layers],
            "below": [noise(rows, n_in) for n_in, _ in layers],
        }

    by_rows: dict[int, dict[str, list[np.ndarray]]] = {}

    def epoch() -> None:
        order = rng.permutation(n)
        for lo in range(0, n, m):
            hi = min(lo + m, n)
            k = lo % stretch
            if k == 0:
                end = min(lo + stretch, n)
                np.take(x, order[lo:end], axis=0, out=gathered[: end - lo], mode="clip")
            rows = hi - lo
            ws = by_rows.get(rows) or by_rows.setdefault(rows, buffers(rows))
            inputs = [gathered[k : k + rows], *ws["z"][:-1]]
            for layer, w in enumerate(weights):
                if rows < w.shape[0]:  # as the engine does: Zᵀ = W·Aᵀ for fewer rows than neurons
                    np.matmul(w, inputs[layer].T, out=ws["zt"][layer])
                else:
                    np.matmul(inputs[layer], w.T, out=ws["z"][layer])
            for layer in range(len(weights) - 1, -1, -1):
                delta = ws["delta"][layer]
                np.matmul(delta.T, inputs[layer], out=steps[layer])
                if layer > 0:
                    np.matmul(delta, weights[layer], out=ws["below"][layer])
            if updates:
                for w, step in zip(weights, steps, strict=True):
                    w -= step

    return epoch


def as_bytes(split: Split) -> Split:
    """``split`` with its inputs stored as uint8 bytes, v for v/256 (nntui.engine.inputs): the
    MNIST pixels as the IDX files hold them, which the trainer converts a stretch at a time."""
    return Split(np.rint(split.x * 256).astype(np.uint8), split.y, split.labels)


def bookkeeping_costs(trainer, repeats: int) -> dict[str, float]:
    """Seconds per epoch of the two statistics nntui keeps while it trains, each timed on its own
    (best of ``repeats``) on ``trainer`` after an epoch, so with real numbers:

    * the speed of learning: the rows of bias steps squared and summed once a stretch
      (``_SpeedSums.add_rows``), as many times as an epoch has stretches (writing the rows costs
      nothing: backprop writes the bias steps somewhere in any case);
    * the running cost: pricing every output of the epoch once (``Trainer.running_cost``, which
      the progress reports call a few times an epoch, each time for the rows since the last).
    """
    speed, n = trainer._speed_sums, len(trainer.train.x)
    per_stretch = len(speed._rows)
    stretches = math.ceil(n / (per_stretch * trainer.batch_size))
    outputs = trainer._outputs.copy()  # pricing overwrites them: put back before each timing
    best = {SPEED: math.inf, RUNNING: math.inf}
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(stretches):
            speed.used = per_stretch
            speed.add_rows(trainer.eta)
        best[SPEED] = min(best[SPEED], time.perf_counter() - start)
        trainer._outputs[...] = outputs
        trainer._rows_costed, trainer._rows_done, trainer._cost_sum = 0, n, 0.0
        start = time.perf_counter()
        trainer.running_cost()
        best[RUNNING] = min(best[RUNNING], time.perf_counter() - start)
    return best


def step_in_cache(case: Case, train, dtype: str) -> Callable[[], None]:
    """A function that runs nntui's backprop and update on one mini-batch as many times as an
    epoch has mini-batches (the last, smaller one included)."""
    network = Network(list(case.sizes), activation=case.activation, output=case.output,
                      cost=case.cost, init="normalized", seed=1, dtype=dtype)
    trainer = Trainer(network, train, train, eta=case.eta, batch_size=case.batch, epochs=1,
                      eval_train=False, seed=1)
    n, m = len(train.x), case.batch
    sizes = [m] * (n // m) + ([n % m] if n % m else [])
    x = np.asarray(train.x, dtype=dtype)
    y = np.asarray(train.y, dtype=dtype)
    outputs = np.empty((m, network.sizes[-1]), dtype=dtype)  # kept, as the trainer keeps them
    steps_b, steps_b_layers = trainer._speed_sums.next_rows()  # the bias steps' own row

    def epoch() -> None:
        for rows in sizes:
            network.backprop(x[:rows], y[:rows], scale=case.eta / rows, outputs=outputs[:rows],
                             grad_w=trainer._steps_w_layers, grad_b=steps_b_layers)
            trainer._update(trainer._steps_w, steps_b, n)

    return epoch


def best_of(repeats: int, runs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """The fastest epoch of each run, the runs taking turns so that a busy moment of the machine
    falls on all of them."""
    best = dict.fromkeys(runs, math.inf)
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per row (best)")
    args = parser.parse_args()

    console = Console(width=None if sys.stdout.isatty() else 120)
    train = load_dataset("mnist", dtype=DTYPE).train
    assert len(train) == N_TRAIN
    x = np.asarray(train.x, dtype=DTYPE)
    results = []
    for case in (CASES[0], CASES[2]):
        with threadpool_limits(limits=1, user_api="blas"):
            nntui = trainer_for(case, train, DTYPE)
            runs = {
                "products in an epoch": products_epoch(case, x, updates=False),
                EPOCH_FLOOR: products_epoch(case, x, updates=True),
                "plain NumPy loop (plain_loop.py)": plain_runner(case, train, DTYPE),
                "nntui's step, in cache": step_in_cache(case, train, DTYPE),
                "nntui": trainer_epochs(nntui),
            }
            runs.update({name: trainer_epochs(trainer_for(case, train, DTYPE, **options))
                         for name, options in OPTIONS.items()})
            runs[BYTES] = trainer_epochs(trainer_for(case, as_bytes(train), DTYPE))
            seconds = best_of(args.repeats, runs)
            shares = bookkeeping_costs(nntui, max(args.repeats, 3))
            floor = matmul_floor(case, DTYPE, 0.15)
        results.append({"case": case.name, "batch": case.batch, "floor": floor,
                        "target": TARGETS[case.name], "seconds": seconds, "shares": shares})

    table = Table(title=f"One 50,000-image MNIST epoch, {DTYPE}, 1 BLAS thread "
                        f"(best of {args.repeats})")
    for column in ("what runs", "s/epoch", "/ floor", "/ epoch floor", "target", "vs nntui"):
        table.add_column(column, justify="left" if column == "what runs" else "right",
                         no_wrap=True)
    for result in results:
        floor, seconds = result["floor"], result["seconds"]
        epoch_floor, ours = seconds[EPOCH_FLOOR], seconds["nntui"]
        table.add_row(f"[bold]{result['case']}, batch {result['batch']}[/bold]")
        table.add_row("floor: the products alone, in cache", f"{floor:.3f}", "1.00×", "", "", "")
        for name, s in seconds.items():
            target = f"≤ {result['target']:.2f}×" if name == "nntui" else ""
            versus = ""
            if name.startswith("nntui +"):
                versus = f"{(s - ours) * 1000:+.0f} ms ({(s / ours - 1) * 100:+.0f} %)"
            elif name.startswith("plain"):
                versus = f"nntui/plain {ours / s:.2f}×"
            table.add_row(name, f"{s:.3f}", f"{s / floor:.2f}×", f"{s / epoch_floor:.2f}×",
                          target, versus)
        for name, s in result["shares"].items():
            table.add_row(name, f"{s * 1000:.1f} ms", "", "", "",
                          f"{s / ours * 100:.1f} % of nntui")
        table.add_section()
    console.print(table)
    console.print(
        "/ epoch floor: over the row \"+ the updates W −= step\": the products and weight steps "
        "of a real epoch on shuffled examples, the least any SGD epoch of the network costs (the "
        "targets).  vs nntui: what each option adds to nntui's epoch; nntui/plain at most 1.00× "
        "means nntui is no slower than the plain loop.  Its speed of learning and running cost: "
        "the share of nntui's epoch each statistic takes, timed alone.", highlight=False)
    print(json.dumps({"benchmark": "floor", "repeats": args.repeats, "dtype": DTYPE,
                      "threads": 1, "results": results}))


if __name__ == "__main__":
    main()
