"""Tests of the saturation statistics (``nntui.insight.saturation``): a hand-made network whose
z, saturated and dead units are known, the limits of the histograms, and Nielsen's argument for
the normalized initialization checked on MNIST against the spread the data and the init imply."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntui.engine import Network
from nntui.insight.saturation import (
    BINS,
    DEAD,
    NONE,
    SAMPLE_SIZE,
    SATURATED,
    SaturationMeter,
    SaturationReport,
    expected_z_spread,
    fractions,
    half_width,
    measure_layer,
    reports_from_dicts,
    sample_rows,
)
from nntui.runner.experiment import build_network, load_data
from nntui.studies.comparisons import COMPARISONS

X = np.array([[1.0, 0.0], [0.0, 1.0]])


def _network(activation: str, output: str = "sigmoid") -> Network:
    """[2, 3, 2]: hidden unit 0 gets z = 10 from both examples, unit 1 z = 0, unit 2 z = 10 from
    the first and −10 from the second; the outputs get z = 0."""
    net = Network([2, 3, 2], activation=activation, output=output, dtype="float64")
    net.weights[0][...] = [[10.0, 10.0], [0.0, 0.0], [10.0, -10.0]]
    net.biases[0][...] = 0.0
    net.weights[1][...] = 0.0
    net.biases[1][...] = 0.0
    return net


def test_a_hand_made_sigmoid_layer() -> None:
    """Four of the six unit-example pairs sit at |z| = 10, where σ'(z)/¼ ≈ 2·10⁻⁴: saturated;
    the z histogram's bins are ±50 (mean 3.3 + 4 × 7.5 rounded up to 1, 2, 5 × 10ⁿ) and hold
    each z where it belongs; the outputs, all at z = 0, are not saturated at all."""
    report = SaturationMeter(X).measure(_network("sigmoid"), epoch=0)
    hidden, output = report.layers
    assert (hidden.name, hidden.measure, output.name) == ("hidden 1", SATURATED, "output")
    assert hidden.fraction == pytest.approx(4 / 6)
    assert (hidden.lo, hidden.hi) == (-50.0, 50.0) and len(hidden.counts) == BINS
    width = 100 / BINS
    expected = [0] * BINS
    for z in (10, 10, 0, 0, 10, -10):
        expected[int((z + 50) // width)] += 1
    assert list(hidden.counts) == expected and hidden.below == hidden.above == 0
    assert hidden.derivative[0] == 4 and hidden.derivative[-1] == 2  # σ'(0) is the maximum
    assert hidden.z_mean == pytest.approx(20 / 6)
    assert output.fraction == 0.0 and output.derivative[-1] == 4
    assert report.sample == 2 and report.at_epoch_end


def test_a_hand_made_relu_layer_counts_dead_units() -> None:
    """A ReLU never saturates on its positive side; what it loses is a unit active for no
    example: unit 1 (z = 0 for both) is dead, unit 2 (active for the first) is not."""
    report = SaturationMeter(X).measure(_network("relu"), epoch=3)
    hidden = report.layers[0]
    assert hidden.measure == DEAD and hidden.fraction == pytest.approx(1 / 3)
    assert hidden.derivative == ()
    assert report.epoch == 3


def test_linear_layers_have_no_measure_and_softmax_uses_its_diagonal() -> None:
    report = SaturationMeter(X).measure(_network("linear", "softmax"), epoch=0)
    hidden, output = report.layers
    assert hidden.measure == NONE and hidden.fraction is None
    # Two outputs at z = 0: a = ½ each, a(1 − a) = ¼, the diagonal's maximum.
    assert output.measure == SATURATED and output.fraction == 0.0
    assert [name for name, _, _ in fractions([report])] == ["output"]


@pytest.mark.parametrize(("activation", "edge"), [("sigmoid", 3.64), ("tanh", 1.82)])
def test_saturated_means_a_slope_below_a_tenth_of_the_largest(activation: str,
                                                              edge: float) -> None:
    z = np.array([[edge - 0.02, edge + 0.02, -edge - 0.02]])
    layer = measure_layer("hidden 1", activation, z, -5.0, 5.0)
    assert layer.fraction == pytest.approx(2 / 3)


def test_the_limits_are_round_and_hold_the_flat_parts() -> None:
    assert half_width("sigmoid", 0.0, 0.1) == 5.0  # 1.25 × 3.64 = 4.55 → 5
    assert half_width("tanh", 0.0, 0.1) == 5.0  # 1.25 × 1.82 = 2.3 → 5
    assert half_width("relu", 0.0, 0.1) == 2.0
    assert half_width("sigmoid", 1.0, 9.0) == 50.0
    assert half_width("sigmoid", math.nan, math.nan) == 10.0


def test_the_limits_are_kept_until_z_outgrows_them_then_doubled() -> None:
    """The limits are those of the first measurement while z stays inside them, so the frames
    of one run compare; once more than 1 % of z falls outside (here weights ×10: z = ±100) they
    double until it fits (±50 → ±200), and stay so.  A NaN z (a diverged net) cannot fit: it is
    counted above, the limits doubled no further than 2⁸ times."""
    net = _network("sigmoid")
    meter = SaturationMeter(X)
    first = meter.measure(net, 0).layers[0]
    assert (first.lo, first.hi) == (-50.0, 50.0)
    assert meter.measure(net, 1).layers[0] == first
    net.weights[0] *= 10
    grown = meter.measure(net, 2).layers[0]
    assert (grown.lo, grown.hi) == (-200.0, 200.0) and grown.below == grown.above == 0
    assert meter.measure(net, 3).layers[0].hi == 200.0
    net.weights[0][1, 0] = math.nan
    broken = meter.measure(net, 4).layers[0]
    assert broken.above == 2 and broken.total == 6  # the two NaN
    assert broken.hi == 200.0 * 2**8


def test_reports_go_to_dicts_and_back() -> None:
    report = SaturationMeter(X).measure(_network("tanh"), epoch=2, batch=7)
    assert not report.at_epoch_end
    assert SaturationReport.from_dict(report.as_dict()) == report
    assert reports_from_dicts([report.as_dict(), {"epoch": 1}, "junk"]) == [report]


def test_the_sample_is_fixed_by_the_seed() -> None:
    assert np.array_equal(sample_rows(50_000, 7), sample_rows(50_000, 7))
    assert not np.array_equal(sample_rows(50_000, 7), sample_rows(50_000, 8))
    rows = sample_rows(50_000, 7)
    assert len(rows) == SAMPLE_SIZE == len(set(rows)) and np.all(np.diff(rows) > 0)
    assert list(sample_rows(3, 7)) == [0, 1, 2]


def test_large_weights_spread_z_an_order_of_magnitude_wider_on_mnist() -> None:
    """Nielsen's argument, measured: the weight-init comparison's two networks on a sample of
    500 MNIST training images.  Var z = Σᵢ xᵢ² + 1 for N(0, 1) weights and biases, and
    Σᵢ xᵢ²/784 + 1 for N(0, 1/784) weights: about 9.5 and 1.06 here.  The measured spread (over
    30 hidden neurons' draws) is within 15 % of it, the ratio is about nine, and with large
    weights most hidden units start saturated while with normalized ones hardly any do."""
    comparison = COMPARISONS["weight-init"]
    measured, expected, saturated = {}, {}, {}
    for config in comparison.configs():
        data = load_data(config)
        sample = data.train.x[sample_rows(len(data.train), config.seed)]
        hidden = SaturationMeter(sample).measure(build_network(config, data), 0).layers[0]
        measured[config.init], saturated[config.init] = hidden.z_std, hidden.fraction
        expected[config.init] = expected_z_spread(sample, config.init)
    assert expected["large"] == pytest.approx(9.5, rel=0.05)
    assert expected["normalized"] == pytest.approx(1.06, rel=0.05)
    for init in ("large", "normalized"):
        assert measured[init] == pytest.approx(expected[init], rel=0.15), init
    ratio = measured["large"] / measured["normalized"]
    assert 7 < ratio < 13
    assert ratio == pytest.approx(expected["large"] / expected["normalized"], rel=0.2)
    assert saturated["large"] > 0.5 and saturated["normalized"] < 0.02
