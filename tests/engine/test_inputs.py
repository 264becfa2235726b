"""Tests of inputs stored as uint8 bytes: a byte set trains and evaluates to the same bits as the
same data given as floats, and the trainer never makes a float copy of it."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.datasets import Split
from nntui.engine import Network, Trainer, network, training
from nntui.engine.inputs import UINT8_SCALE, as_floats


def _images(n: int, seed: int) -> tuple[Split, Split]:
    """n 6×6 "images" of two classes as bytes (a bright left or right half, plus noise), and the
    same images as float32 computed as the MNIST splits are: v · (1/256) in float32."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    pictures = rng.integers(0, 120, (n, 6, 6))
    pictures[labels == 0, :, :3] += 135
    pictures[labels == 1, :, 3:] += 135
    raw = pictures.reshape(n, 36).astype(np.uint8)
    y = np.eye(2, dtype=np.float32)[labels]
    floats = np.multiply(raw, np.float32(1 / 256), dtype=np.float32)
    return Split(raw, y, labels), Split(floats, y, labels)


def _train(train: Split, validation: Split, dtype: str, **options) -> tuple[Trainer, list]:
    net = Network([36, 12, 2], activation="relu", output="softmax", cost="log-likelihood",
                  init="he", seed=2, dtype=dtype)
    trainer = Trainer(net, train, validation, eta=0.05, epochs=3, seed=2, **options)
    result = trainer.run()
    return trainer, [(r.train_cost, r.train_accuracy, r.val_cost, r.val_accuracy,
                      r.learning_speed) for r in result.history]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [
    {"batch_size": 10},
    {"batch_size": 7, "dropout": 0.2, "momentum": 0.5, "regularization": "l2", "lmbda": 1.0},
    {"batch_size": 128, "regularization": "l1", "lmbda": 0.5},
])
def test_bytes_train_to_the_same_bits_as_floats(dtype: str, options: dict, monkeypatch) -> None:
    monkeypatch.setattr(training, "GATHER_ROWS", 64)  # several stretches, a short last one
    raw_train, float_train = _images(1_000, seed=0)
    raw_val, float_val = _images(300, seed=1)
    from_bytes, history_bytes = _train(raw_train, raw_val, dtype, **options)
    from_floats, history_floats = _train(float_train, float_val, dtype, **options)
    assert history_bytes == history_floats  # exact, to the last bit
    assert history_bytes[-1][3] > 0.9  # and it did learn
    for a, b in zip(from_bytes.network.weights + from_bytes.network.biases,
                    from_floats.network.weights + from_floats.network.biases, strict=True):
        assert a.dtype == np.dtype(dtype)
        assert np.array_equal(a, b)
    assert from_bytes._x is raw_train.x  # kept as bytes, not copied into floats
    assert from_bytes._x.dtype == np.uint8


def test_evaluation_of_bytes_agrees_and_goes_a_chunk_at_a_time(monkeypatch) -> None:
    raw, floats = _images(250, seed=3)
    net = Network([36, 5, 2], seed=1)
    monkeypatch.setattr(network, "EVAL_CHUNK", 100)
    expected = net.evaluate(floats.x, floats.y, floats.labels)  # chunked alike: same products
    converted = []
    real = network.as_floats

    def spy(x, dtype, out=None):
        converted.append(len(x))
        return real(x, dtype, out)

    monkeypatch.setattr(network, "as_floats", spy)
    assert net.evaluate(raw.x, raw.y, raw.labels) == expected
    assert converted == [100, 100, 50]  # never the whole split at once
    assert np.array_equal(net.feedforward(raw.x), net.feedforward(floats.x))


def test_as_floats_scales_bytes_and_passes_floats_through() -> None:
    raw = np.array([[0, 1, 128, 255]], dtype=np.uint8)
    assert as_floats(raw, np.float32).tolist() == [[0.0, UINT8_SCALE, 0.5, 255 / 256]]
    floats = np.ones((2, 3), dtype=np.float32)
    assert as_floats(floats, np.float32) is floats  # no copy: floats cost nothing extra
    assert as_floats(floats, np.float64).dtype == np.float64
