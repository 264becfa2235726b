"""Tests of ``nntui inspect``: the accuracy, the confusion matrix and the most confident mistakes
of a saved network, drawn as half blocks for images and listed as points for the 2-D sets, and a
missing, damaged or mismatched file refused in one line with exit status 2.  (``nntui train
--confusion``, which prints the same matrix, is tested with ``nntui train``.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.cli.main import main
from nntui.datasets.idx import write_idx
from nntui.insight.inspection import confusion_of, mistakes, predict
from nntui.runner.experiment import load_data
from nntui.storage.networks import load_network


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``nntui ARGV`` in-process: (exit code, stdout, stderr)."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _idx_folder(folder: Path, side: int, n_train: int = 60, n_test: int = 30) -> Path:
    """A folder of MNIST-format IDX files holding random side × side images of ten classes."""
    rng = np.random.default_rng(side)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 256, (n, side, side), dtype=np.uint8)
        write_idx(folder / f"{stem}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{stem}-labels-idx1-ubyte.gz", labels)
    return folder


@pytest.fixture(scope="module")
def mnist_net(tmp_path_factory) -> Path:
    """A [784,10,10] network trained for one epoch on 500 MNIST images."""
    path = tmp_path_factory.mktemp("inspect") / "net.npz"
    code = main(["train", "--train-size", "500", "--epochs", "1", "--hidden", "10",
                 "--quiet", "--save", str(path), "--runs-db", str(path.parent / "runs.db")])
    assert code == 0 and path.exists()
    return path


def test_inspect_prints_accuracy_matrix_and_mistakes_as_half_blocks(mnist_net, capsys) -> None:
    code, out, err = _run(["inspect", str(mnist_net), "--mistakes", "3"], capsys)
    assert code == 0, err
    config, network = load_network(mnist_net)
    test = load_data(config).test
    answers = predict(network, test.x, test.labels)
    assert f"test accuracy: {100 * answers.accuracy:.2f} %" in out
    matrix = confusion_of(answers)
    assert matrix.describe_most_frequent() in out
    assert "The 3 most confident of" in out
    assert out.count("▀" * 28) >= 14  # three digits side by side, 14 lines each
    first = int(mistakes(answers)[0])
    assert (f"true {answers.labels[first]} → {answers.predicted[first]} "
            f"at {100 * answers.confidence[first]:.0f}%") in out


def test_inspect_a_missing_or_damaged_file_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    code, out, err = _run(["inspect", str(tmp_path / "nope.npz")], capsys)
    assert code == 2 and out == ""
    assert err.startswith("nntui inspect: error:") and err.count("\n") == 1
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 this is not a network")
    code, out, err = _run(["inspect", str(damaged)], capsys)
    assert code == 2 and "damaged" in err and err.count("\n") == 1


def test_inspect_refuses_data_of_another_input_size(mnist_net, tmp_path: Path, capsys) -> None:
    folder = _idx_folder(tmp_path / "small", side=8)
    code, out, err = _run(["inspect", str(mnist_net), "--data-dir", str(folder)], capsys)
    assert code == 2 and out == ""
    assert "takes 784 inputs" in err and "64" in err and err.count("\n") == 1


def test_inspect_a_toy_network_lists_its_mistakes_as_points(tmp_path: Path, capsys) -> None:
    path = tmp_path / "xor.npz"
    code, _, err = _run(["train", "--dataset", "xor", "--epochs", "2", "--hidden", "6", "--save",
                         str(path)], capsys)
    assert code == 0, err
    code, out, err = _run(["inspect", str(path), "--mistakes", "2", "--split", "validation"],
                          capsys)
    assert code == 0, err
    assert "validation accuracy:" in out and "Confusion matrix, validation set" in out
    assert "▀" not in out
