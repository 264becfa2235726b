"""What the storage tests share: a trained network to save, why loading a network file is refused,
a place for a run history, and the pid of a process that has ended."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nntui.config import Config, make_config
from nntui.engine import Network
from nntui.storage.errors import RunFileError
from nntui.storage.networks import load_network


@pytest.fixture
def trained_pair() -> Callable[..., tuple[Config, Network]]:
    """A maker of (config, network): ``trained_pair(dtype="float32")`` gives a tanh/softmax
    network [2, 5, 4, 2] whose weights differ from a fresh network of the same seed."""

    def make(dtype: str = "float32") -> tuple[Config, Network]:
        config = make_config(dataset="xor", hidden="5,4", activation="tanh", output="softmax",
                             cost="log-likelihood", dtype=dtype, seed=3)
        network = Network([2, 5, 4, 2], activation="tanh", output="softmax",
                          cost="log-likelihood", seed=3, dtype=dtype)
        for w in network.weights:
            w += 0.25
        return config, network

    return make


@pytest.fixture
def refusal() -> Callable[[Path], str]:
    """``refusal(path)``: why :func:`load_network` refuses ``path`` (the message must name it)."""

    def why(path: Path) -> str:
        with pytest.raises(RunFileError) as info:
            load_network(path)
        message = str(info.value)
        assert str(path) in message, message
        return message

    return why


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's run history goes: a folder that does not exist yet."""
    return tmp_path / "history" / "runs.db"


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
