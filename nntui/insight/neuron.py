"""What Nielsen's single neuron learned: its output a, epoch by epoch, read from its costs.

The figure of the saturated neuron (Nielsen, ch. 3) is its output a for its one input over the
epochs, not an accuracy (one example is always classed right).  The run history keeps costs, not
outputs, and a run trained on a Dask worker sends back only its epoch reports; but the neuron's
one example has target y = 0, so its cost gives a back exactly:

    quadratic        C = ½(a − y)²              = ½a²        →  a = √(2C)
    cross-entropy    C = −[y ln a + (1 − y) ln(1 − a)] = −ln(1 − a)  →  a = 1 − e^(−C)

and before training a = σ(w + b) for the input x = 1.  So the same curve is drawn wherever the run
trained and whenever it is read again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nntui.config import Config
from nntui.engine import EpochReport


def neuron_outputs(config: Config, history: Sequence[EpochReport]) -> list[tuple[int, float]]:
    """The single neuron's output a per epoch as (epoch, a), worked back from its held-out cost
    (see the module's equations); epoch 0 is σ(w + b) of the config.  Empty for anything but an
    unregularized sigmoid neuron with the quadratic or cross-entropy cost, whose cost is not a
    function of a alone."""
    if config.dataset != "neuron" or config.output != "sigmoid" or config.regularized \
            or config.cost not in ("quadratic", "cross-entropy"):
        return []
    outputs = [(0, 1.0 / (1.0 + math.exp(-(config.neuron_w + config.neuron_b))))]
    for report in history:
        cost = max(report.val_cost, 0.0)
        a = math.sqrt(2.0 * cost) if config.cost == "quadratic" else -math.expm1(-cost)
        outputs.append((report.epoch, a))
    return outputs
