"""From a :class:`~nntui.config.Config` to a running trainer: the one place config meets engine.

The engine takes plain arguments and knows nothing of the config; the app, the command line and
the tests all build their runs through these functions, so a hyperparameter means the same thing
wherever it is set.
"""

from __future__ import annotations

import os
from itertools import pairwise

import numpy as np

from nntui.config import Config
from nntui.datasets import Dataset, load_dataset
from nntui.engine import Control, Network, Observer, Trainer
from nntui.engine.inputs import is_bytes
from nntui.engine.network import EVAL_CHUNK
from nntui.engine.training import GATHER_ROWS


def load_data(config: Config, data_dir: str | os.PathLike | None = None) -> Dataset:
    """The data set the config names, split, subset and expanded as it asks.  An expanded
    training set (five times the images, as uint8) is refused before it is made when it would
    not fit in the memory free now (:func:`available_memory`)."""
    return load_dataset(
        config.dataset,
        train_size=config.train_size,
        validate_on=config.validate_on,
        dtype=config.dtype,
        seed=config.seed,
        noise=config.noise,
        data_dir=data_dir,
        expand=config.expand,
        memory_free=available_memory() if config.expand else None,
    )


def layer_sizes(config: Config, data: Dataset) -> list[int]:
    """Input size from the data, the hidden layers from the config, output size from the data."""
    return [data.n_inputs, *config.hidden, data.n_outputs]


def build_network(config: Config, data: Dataset) -> Network:
    network = Network(
        layer_sizes(config, data),
        activation=config.activation,
        output=config.output,
        cost=config.cost,
        init=config.init,
        seed=config.seed,
        dtype=config.dtype,
    )
    if config.dataset == "neuron":
        # Nielsen's toy starts from a chosen weight and bias so the slowdown can be seen.
        network.weights[0][...] = config.neuron_w
        network.biases[0][...] = config.neuron_b
    return network


def build_trainer(
    config: Config,
    data: Dataset,
    network: Network | None = None,
    *,
    observer: Observer | None = None,
    control: Control | None = None,
    progress_interval: float = 0.2,
) -> Trainer:
    return Trainer(
        network if network is not None else build_network(config, data),
        data.train,
        data.validation,
        eta=config.eta,
        batch_size=config.batch_size,
        epochs=config.epochs,
        regularization=config.regularization,
        lmbda=config.lmbda,
        momentum=config.momentum,
        dropout=config.dropout,
        early_stop=config.early_stop,
        eta_schedule=config.eta_schedule,
        eval_train=config.eval_train,
        seed=config.seed,
        observer=observer,
        control=control,
        progress_interval=progress_interval,
        pace=config.pace,
    )


def measure_test_accuracy(network: Network, data: Dataset) -> float | None:
    """Accuracy on the test set, or None if the weights are no longer finite."""
    if not all(np.isfinite(w).all() for w in network.weights):
        return None
    _, acc = network.evaluate(data.test.x, data.test.y, data.test.labels)
    return acc


# --- will it fit? --------------------------------------------------------------------------------

def memory_needed(config: Config, data: Dataset) -> int:
    """Bytes a run of ``config`` allocates on top of its data: weights and biases with their
    gradients (and velocities, with momentum), the mini-batch buffers backprop reuses (for the
    full batches and the smaller last one), the stretch of shuffled examples the trainer gathers
    (and, for inputs kept as uint8 bytes such as an expanded set, the bytes it gathers them into
    and each evaluation chunk converted to floats), the evaluation chunks, and the trainer's
    buffer of one epoch's outputs.  An estimate within a few per cent of what NumPy allocates.

    The data themselves are not counted: they are in memory when this is asked.  An expanded
    set, five times the images, is checked against the free memory before it is made
    (:func:`load_data`)."""
    sizes = layer_sizes(config, data)
    item = np.dtype(config.dtype).itemsize
    params = sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))
    copies = 2 + (1 if config.momentum else 0)  # the parameters, their gradients, velocities

    def workspace(m: int) -> int:
        """Network.workspace(m): activations, errors and σ' of every computing layer, the hidden
        layers' dropout masks and dropped activations, a row of ones, and Zᵀ of the layers wider
        than the batch."""
        layers, hidden = sum(sizes[1:]), sum(sizes[1:-1])
        return m * (3 * layers + 2 * hidden + 1) + sum(m * n for n in sizes[1:] if m < n)

    n = len(data.train)
    m = min(config.batch_size, n)
    batches = workspace(m) + (workspace(n % m) if n % m else 0)
    chunk = min(EVAL_CHUNK, max(len(data.train), len(data.validation)))
    evaluation = 2 * chunk * sum(sizes)
    outputs = n * sizes[-1]
    gathered = min(n, max(1, GATHER_ROWS // m) * m)  # rows of each stretch the trainer takes
    stretch = gathered * (sizes[0] + sizes[-1])
    staged = 0
    if is_bytes(data.train.x):  # bytes gathered, then scaled into the float stretch; and each
        staged = gathered * sizes[0]  # evaluation chunk of bytes converted to floats
        evaluation += min(EVAL_CHUNK, n) * sizes[0]
    return item * (copies * params + batches + evaluation + outputs + stretch) + 8 * n + staged


def available_memory() -> int | None:
    """Bytes this process can still allocate, as far as the system says: the smallest of the
    memory the kernel reports available, a cgroup limit (containers) and an address-space limit
    (``ulimit -v``); None where none of them can be read."""
    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as handle:
            limit = handle.read().strip()
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as handle:
            current = int(handle.read().strip())
        if limit != "max":
            limits.append(int(limit) - current)
    except (OSError, ValueError):
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm", encoding="ascii") as handle:
                used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limits.append(soft - used)
    except (ImportError, OSError, ValueError):
        pass
    return max(0, min(limits)) if limits else None


def check_memory(config: Config, data: Dataset) -> str | None:
    """Why a run of ``config`` cannot fit in memory, or None when it can (or nobody can say)."""
    needed, free = memory_needed(config, data), available_memory()
    if free is None or needed <= free:
        return None
    layers = "-".join(str(n) for n in layer_sizes(config, data))
    fewer = "fewer training images or expand off" if config.expand else "fewer training images"
    return (f"this run needs about {needed / 2**30:.1f} GiB for its buffers (layers {layers}, "
            f"batches of {config.batch_size:,}) but only {free / 2**30:.1f} GiB is free; use a "
            f"smaller batch size, fewer or smaller hidden layers, or {fewer}")
