"""The hyperparameter form's rule for which fields a data set shows."""

from __future__ import annotations

from nntui.config import SPECS, applies


def test_fields_that_apply_to_each_data_set():
    assert applies("noise", "spiral") and not applies("noise", "mnist")
    assert applies("neuron_w", "neuron") and not applies("neuron_w", "xor")
    assert not applies("train_size", "neuron") and applies("train_size", "/data/my-idx")
    assert all(applies(name, "mnist") for name in SPECS
               if name not in ("noise", "neuron_w", "neuron_b"))
