"""``nntui inspect NET --image FILE`` in a real process: an MNIST test digit saved as a large
dark-on-light PNG is answered as the network answers the digit itself, the prepared input printed
in plain half blocks when piped (no colour codes), and a bad picture or a network not made for
28 × 28 images refused with exit status 2 and one clear sentence."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from nntui.config import make_config
from nntui.datasets import load_dataset
from nntui.engine import Network
from nntui.insight.digit import answer, prepare
from nntui.status import ExitStatus
from nntui.storage.networks import save_network


def nntui(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nntui", *args], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.fixture(scope="module")
def test_digit() -> tuple[np.ndarray, int]:
    data = load_dataset("mnist", train_size=10)
    return data.test.x[0].reshape(28, 28).astype(np.float64), int(data.test.labels[0])


def test_a_scanned_digit_gets_the_networks_answer(tmp_path, digit_network, digit_network_file,
                                                  test_digit, subprocess_env):
    image, label = test_digit
    _, network = digit_network
    expected = int(network.feedforward(image.reshape(1, -1)).argmax())
    assert expected == label  # the session's network reads this digit right
    big = np.kron(image, np.ones((7, 5)))  # 196 × 140, stretched: "any size"
    Image.fromarray(np.rint(255 - 255 * big).astype(np.uint8)).save(tmp_path / "scan.png")
    done = nntui(["inspect", str(digit_network_file), "--image", str(tmp_path / "scan.png")],
                 subprocess_env)
    assert done.returncode == ExitStatus.SUCCESS, done.stderr
    assert "\x1b[" not in done.stdout  # piped: no colour codes
    assert f"The network says: {expected} (" in done.stdout
    assert "softmax outputs: probabilities as they are" in done.stdout
    lines = done.stdout.splitlines()
    bars = [line for line in lines if line[:2] in {f"{k} " for k in range(10)}]
    assert len(bars) == 10 and "%" in bars[expected]
    picture = lines[2:16]  # 28 pixel rows in 14 lines of half blocks
    assert all(len(line) == 28 for line in picture)
    assert sum(line.count("█") + line.count("▀") + line.count("▄") for line in picture) > 15


def test_bad_pictures_and_networks_exit_2_with_a_sentence(tmp_path, digit_network_file,
                                                          subprocess_env):
    text = tmp_path / "digit.png"
    text.write_text("not a picture")
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((28, 28), 255, dtype=np.uint8)).save(blank)
    config = make_config(dataset="xor", hidden="4")
    toy = save_network(tmp_path / "toy.npz", Network([2, 4, 2], output="softmax",
                                                     cost="log-likelihood"), config)
    good = tmp_path / "good.pgm"
    Image.fromarray(np.eye(28, dtype=np.uint8) * 255).save(good)
    cases = [
        ([str(digit_network_file), "--image", str(tmp_path / "none.png")], "does not exist"),
        ([str(digit_network_file), "--image", str(text)], "is not a PNG or PGM picture"),
        ([str(digit_network_file), "--image", str(blank)], "is blank"),
        ([str(toy), "--image", str(good)], "takes 2 inputs, not the 784 pixels"),
    ]
    for args, words in cases:
        done = nntui(["inspect", *args], subprocess_env)
        assert done.returncode == ExitStatus.USAGE, (args, done.stderr)
        assert done.stdout == ""
        error = done.stderr.strip()
        assert error.startswith("nntui inspect: error: ") and words in error
        assert len(error.splitlines()) == 1


def test_a_sigmoid_network_shows_its_outputs_and_says_the_bars_are_normalized(
        tmp_path, run_cli, test_digit):
    image, _ = test_digit
    config = make_config(dataset="mnist", hidden="10")
    network = Network([784, 10, 10], seed=3)
    path = save_network(tmp_path / "sigmoid.npz", network, config)
    Image.fromarray(np.rint(255 * image).astype(np.uint8)).save(tmp_path / "light.pgm")
    code, out, err = run_cli(["inspect", str(path), "--image", str(tmp_path / "light.pgm")])
    assert code == ExitStatus.SUCCESS, err
    assert "divided by their sum for the bars" in out
    said = answer(network, prepare(image))
    for output in said.outputs:  # each output as it is, beside its normalized bar
        assert f"  a {output:6.3f}" in out
