"""Seconds per 50,000-image MNIST training epoch, beside the floor set by its matrix multiplies.

For each network, precision and BLAS thread count this times one epoch of the real trainer
(``Trainer._train_epoch``: shuffling, mini-batch gathering, backprop, the update; no evaluation)
and, in the same process, the *floor*: the time the matrix products of that epoch take on their
own.  One mini-batch needs per layer the forward product A·Wᵀ (computed as its transpose W·Aᵀ
when the batch has fewer examples than the layer has neurons, as the engine does), the weight
gradient δᵀ·A and (except for the first layer) the backward product δ·W.  Each kind is timed
alone in a tight loop on buffers of the real shapes and the per-call times are summed and
multiplied by the number of mini-batches.  time / floor says how much the rest (activations,
the cost, the update, Python) costs on top: with ten-example batches that overhead, not the
arithmetic, sets the pace.

Beside nntui, each cell times a plain NumPy loop of the same algorithm (``plain_loop.py``: the
same buffers and gathering, η/m folded into δᴸ, no statistics, observers or control), the two
taking turns; **nntui/plain** at most 1.00× means the bookkeeping costs nntui nothing a plain
loop would save.

Then, in the same process, it times one epoch of Nielsen's own algorithm (``nielsen_loop.py``: the
book's ``network2.py`` SGD, each example backpropagated on its own as a column vector) against
nntui on the same network and settings, the book's ch. 3 run: [784,30,10], sigmoid and
cross-entropy, batch 10, η = 0.5, L2 with λ = 5, one BLAS thread; nntui in float32, the book's
loop in its own float64.

    python benchmarks/bench_epoch.py            # full table, about 2 minutes
    python benchmarks/bench_epoch.py --quick    # one repeat, fewer floor iterations
    python benchmarks/bench_epoch.py --dtype float32 --threads 1   # the cells the issue targets

Prints a Rich table and, last, one line of JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import pairwise

import numpy as np
from nielsen_loop import BookNetwork, as_training_data  # benchmarks/, beside this script
from plain_loop import plain_epoch_runner
from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_info, threadpool_limits

from nntui.datasets import load_dataset
from nntui.engine import Network, Trainer

N_TRAIN = 50_000
BOOK = {"sizes": (784, 30, 10), "batch": 10, "eta": 0.5, "lmbda": 5.0}  # Nielsen ch. 3


@dataclass(frozen=True)
class Case:
    name: str
    sizes: tuple[int, ...]
    activation: str
    output: str
    cost: str
    batch: int
    eta: float


CASES = (
    Case("[784,30,10] sigmoid/CE", (784, 30, 10), "sigmoid", "sigmoid", "cross-entropy", 10, 0.5),
    Case("[784,100,10] sigmoid/CE", (784, 100, 10), "sigmoid", "sigmoid", "cross-entropy", 10,
         0.5),
    Case("[784,64,64,10] ReLU softmax/LL", (784, 64, 64, 10), "relu", "softmax",
         "log-likelihood", 128, 0.1),
)


@dataclass
class Row:
    case: str
    batch: int
    dtype: str
    threads: int
    seconds: float
    floor: float
    ratio: float
    plain_seconds: float  # the plain NumPy loop of plain_loop.py, same cell, same run
    plain_ratio: float  # nntui / plain: below 1 when nntui is faster


def best_of(repeats: int, run: Callable[[], None]) -> float:
    """The fastest of ``repeats`` timings: the least disturbed by anything else on the machine."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def trainer_for(case: Case, train, dtype: str, lmbda: float = 0.0, **options) -> Trainer:
    """The real trainer of ``case`` (L2 with ``lmbda`` > 0 unless ``options`` say otherwise),
    reporting progress every 0.2 s to nobody, as the app's default does."""
    network = Network(list(case.sizes), activation=case.activation, output=case.output,
                      cost=case.cost, init="normalized", seed=1, dtype=dtype)
    options = {"regularization": "l2" if lmbda else "none", **options}
    return Trainer(network, train, train, eta=case.eta, batch_size=case.batch, epochs=1000,
                   lmbda=lmbda, eval_train=False, seed=1, progress_interval=0.2, **options)


def epoch_runner(case: Case, train, dtype: str, lmbda: float = 0.0,
                 **options) -> Callable[[], None]:
    """A function that trains one more epoch of ``case`` with the real trainer."""
    return trainer_epochs(trainer_for(case, train, dtype, lmbda, **options))


def trainer_epochs(trainer: Trainer) -> Callable[[], None]:
    """A function that trains one more epoch with ``trainer`` (training only, no evaluation)."""
    epoch = iter(range(1, 1001))
    return lambda: trainer._train_epoch(next(epoch))


def plain_runner(case: Case, train, dtype: str) -> Callable[[], None]:
    """A function that trains one more epoch of ``case`` with the plain NumPy loop
    (plain_loop.py: the same algorithm and buffers, no statistics, observers or control)."""
    x, y = np.asarray(train.x, dtype=dtype), np.asarray(train.y, dtype=dtype)
    return plain_epoch_runner(case.sizes, case.activation, case.batch, case.eta, x, y)


def time_epochs(case: Case, train, dtype: str, repeats: int) -> tuple[float, float]:
    """The best epoch of nntui and of the plain loop (plain_loop.py) on ``case``, taking turns
    (one epoch of each, ``repeats`` times) so that a busy moment of the machine falls on both."""
    nntui_epoch, plain_epoch = epoch_runner(case, train, dtype), plain_runner(case, train, dtype)
    nntui = plain = math.inf
    for _ in range(repeats):
        nntui = min(nntui, best_of(1, nntui_epoch))
        plain = min(plain, best_of(1, plain_epoch))
    return nntui, plain


def book_epoch_runner(train) -> Callable[[], None]:
    """A function that trains one more epoch of the book's per-example SGD (nielsen_loop.py)
    on the same 50,000 images."""
    data = as_training_data(train.x, train.y)
    network = BookNetwork(list(BOOK["sizes"]), seed=1)
    shuffle = random.Random(1)
    return lambda: network.sgd_epoch(data, BOOK["batch"], BOOK["eta"], BOOK["lmbda"], shuffle)


def per_call(loop: Callable[[int], None], budget: float) -> float:
    """Seconds per call of the product in ``loop``, timed over about ``budget`` seconds."""
    loop(20)  # warm up: first calls allocate and page in
    count, elapsed = 50, 0.0
    while elapsed < budget / 4:
        count *= 2
        start = time.perf_counter()
        loop(count)
        elapsed = time.perf_counter() - start
    return min(elapsed, _timed(loop, count)) / count


def _timed(loop: Callable[[int], None], count: int) -> float:
    start = time.perf_counter()
    loop(count)
    return time.perf_counter() - start


def matmul_floor(case: Case, dtype: str, budget: float) -> float:
    """Seconds one epoch spends in its matrix products, each kind timed alone."""
    rng = np.random.default_rng(0)
    batches_full, last = divmod(N_TRAIN, case.batch)
    sizes_of_batches = [(case.batch, batches_full)] + ([(last, 1)] if last else [])
    total = 0.0
    for m, count in sizes_of_batches:
        per_batch = 0.0
        for layer, (n_in, n_out) in enumerate(pairwise(case.sizes)):
            a = rng.standard_normal((m, n_in)).astype(dtype)
            w = rng.standard_normal((n_out, n_in)).astype(dtype)
            delta = rng.standard_normal((m, n_out)).astype(dtype)
            z = np.empty((m, n_out), dtype)
            zt = np.empty((n_out, m), dtype)
            grad_w = np.empty((n_out, n_in), dtype)
            below = np.empty((m, n_in), dtype)

            def forward(k: int, a=a, w=w, z=z, zt=zt, transposed=m < n_out) -> None:
                # The way round the engine computes it: Zᵀ = W·Aᵀ for fewer examples than neurons.
                for _ in range(k):
                    if transposed:
                        np.matmul(w, a.T, out=zt)
                    else:
                        np.matmul(a, w.T, out=z)

            def weight_gradient(k: int, a=a, delta=delta, grad_w=grad_w) -> None:
                for _ in range(k):
                    np.matmul(delta.T, a, out=grad_w)

            def backward(k: int, w=w, delta=delta, below=below) -> None:
                for _ in range(k):
                    np.matmul(delta, w, out=below)

            per_batch += per_call(forward, budget) + per_call(weight_gradient, budget)
            if layer > 0:
                per_batch += per_call(backward, budget)
        total += per_batch * count
    return total


def blas_description() -> str:
    info = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
            f"{p.get('num_threads')} threads)" for p in threadpool_info()
            if p.get("user_api") == "blas"]
    return ", ".join(info) or "no BLAS found"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, shorter floor loops")
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per cell (best)")
    parser.add_argument("--dtype", choices=("float32", "float64"), action="append",
                        help="only this precision (repeatable; default both)")
    parser.add_argument("--threads", type=int, choices=(1, 2), action="append",
                        help="only this many BLAS threads (repeatable; default 1 and 2)")
    parser.add_argument("--no-book", action="store_true",
                        help="skip the comparison with the book's per-example loop")
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    budget = 0.05 if args.quick else 0.15

    # Wide enough for the table even when the output goes to a file or a pipe.
    console = Console(width=None if sys.stdout.isatty() else 130)
    console.print(f"numpy {np.__version__}; BLAS: {blas_description()}; "
                  f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    rows: list[Row] = []
    for dtype in args.dtype or ("float32", "float64"):
        train = load_dataset("mnist", dtype=dtype).train
        assert len(train) == N_TRAIN
        for case in CASES:
            for threads in args.threads or (1, 2):
                with threadpool_limits(limits=threads, user_api="blas"):
                    seconds, plain = time_epochs(case, train, dtype, repeats)
                    floor = matmul_floor(case, dtype, budget)
                rows.append(Row(case.name, case.batch, dtype, threads, seconds, floor,
                                seconds / floor, plain, seconds / plain))
                console.print(f"  {case.name} batch {case.batch} {dtype} {threads} thread(s): "
                              f"{seconds:.3f} s, plain loop {plain:.3f} s, floor {floor:.3f} s",
                              highlight=False)

    table = Table(title="One 50,000-image MNIST epoch (training only, best of "
                        f"{repeats})")
    for column in ("network", "batch", "dtype", "threads", "s/epoch", "floor s", "time/floor",
                   "plain s", "nntui/plain"):
        table.add_column(column, justify="left" if column == "network" else "right",
                         no_wrap=True)
    for row in rows:
        table.add_row(row.case, str(row.batch), row.dtype, str(row.threads),
                      f"{row.seconds:.3f}", f"{row.floor:.3f}", f"{row.ratio:.2f}×",
                      f"{row.plain_seconds:.3f}", f"{row.plain_ratio:.2f}×")
    console.print(table)
    console.print("floor s: the epoch's matrix products alone, in cache (BLAS threads as in "
                  "'threads').  nntui/plain: nntui's epoch over the plain NumPy loop's "
                  "(plain_loop.py: the "
                  "same algorithm and buffers, without the speed of learning, the running cost, "
                  "observers or control), timed in turns; at most 1.00× means nntui is no slower.",
                  highlight=False)

    book = None
    if not args.no_book:
        book = compare_with_book(repeats)
        console.print(f"The book's per-example loop, {book['network']} batch {BOOK['batch']} "
                      f"η {BOOK['eta']} λ {BOOK['lmbda']:g}, 1 BLAS thread: "
                      f"{book['book_seconds']:.3f} s/epoch (float64); nntui "
                      f"{book['nntui_seconds']:.3f} s (float32), floor {book['floor']:.3f} s "
                      f"({book['nntui_seconds'] / book['floor']:.2f}×): "
                      f"nntui : book = [bold]{book['speedup']:.1f}×[/bold]", highlight=False)
    print(json.dumps({"benchmark": "epoch", "repeats": repeats,
                      "rows": [asdict(row) for row in rows], "book": book}))


def compare_with_book(repeats: int) -> dict:
    """nntui and the book's own loop on the book's ch. 3 run, taking turns (one of the book's
    epochs, then three of nntui's, ``repeats`` times) so that a busy moment of the machine falls
    on both; each is its best epoch."""
    train = load_dataset("mnist", dtype="float32").train
    case = Case("[784,30,10] sigmoid/CE L2", BOOK["sizes"], "sigmoid", "sigmoid",
                "cross-entropy", BOOK["batch"], BOOK["eta"])
    with threadpool_limits(limits=1, user_api="blas"):
        book_epoch = book_epoch_runner(train)
        nntui_epoch = epoch_runner(case, train, "float32", lmbda=BOOK["lmbda"])
        book = nntui = math.inf
        for _ in range(repeats):
            book = min(book, best_of(1, book_epoch))
            nntui = min(nntui, best_of(3, nntui_epoch))
        floor = matmul_floor(case, "float32", 0.15)
    return {"network": "[784,30,10] sigmoid/CE", "book_seconds": book, "nntui_seconds": nntui,
            "floor": floor, "speedup": book / nntui}


if __name__ == "__main__":
    main()
