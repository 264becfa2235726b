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
from bench_epoch import CASES, N_TRAIN, Case, epoch_runner, matmul_floor  # benchmarks/
from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_limits

from nntui.datasets import load_dataset
from nntui.engine import Network, Trainer
from nntui.engine.training import GATHER_ROWS

DTYPE = "float32"
TARGETS = {CASES[0].name: 1.5, CASES[2].name: 1.3}  # issue 11, time / floor


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
    rows_of_b = [np.empty_like(b) for b in network.biases]  # the bias steps' own rows

    def epoch() -> None:
        for rows in sizes:
            grad_w, grad_b = network.backprop(x[:rows], y[:rows], scale=case.eta / rows,
                                              outputs=outputs[:rows], grad_b=rows_of_b)
            trainer._update(grad_w, grad_b, n)

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
            runs = {
                "products in an epoch": products_epoch(case, x, updates=False),
                "+ the updates W −= step": products_epoch(case, x, updates=True),
                "nntui's step, in cache": step_in_cache(case, train, DTYPE),
                "nntui": epoch_runner(case, train, DTYPE),
            }
            seconds = best_of(args.repeats, runs)
            floor = matmul_floor(case, DTYPE, 0.15)
        results.append({"case": case.name, "batch": case.batch, "floor": floor,
                        "target": TARGETS[case.name], "seconds": seconds})

    table = Table(title=f"One 50,000-image MNIST epoch, {DTYPE}, 1 BLAS thread "
                        f"(best of {args.repeats})")
    for column in ("network", "batch", "what runs", "s/epoch", "/ floor", "target"):
        table.add_column(column, justify="left" if column in ("network", "what runs")
                         else "right", no_wrap=True)
    for result in results:
        floor = result["floor"]
        table.add_row(result["case"], str(result["batch"]), "floor (products alone, in cache)",
                      f"{floor:.3f}", "1.00×", f"≤ {result['target']:.1f}×")
        for name, seconds in result["seconds"].items():
            table.add_row("", "", name, f"{seconds:.3f}", f"{seconds / floor:.2f}×", "")
        table.add_section()
    console.print(table)
    print(json.dumps({"benchmark": "floor", "repeats": args.repeats, "dtype": DTYPE,
                      "threads": 1, "results": results}))


if __name__ == "__main__":
    main()
