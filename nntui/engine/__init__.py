"""The NumPy engine: networks, costs, initialization and the SGD trainer.

Pure NumPy with no knowledge of the app, the command line or the data sets: it trains any arrays it
is given and reports to whatever observer it is handed.

    activations.py   σ and σ' side by side, one small object per function
    costs.py         C and δᴸ side by side, one small object per cost
    init.py          the starting weights, one small function per scheme
    inputs.py        inputs stored as uint8 bytes (v stands for v/256), converted a chunk at a time
    network.py       Network: the forward pass and backprop
    events.py        what the trainer reports, and the observers that hear it
    control.py       Control: how a running trainer is steered from another thread
    policies.py      early stopping, the η schedules and the pace, consulted once an epoch
    training.py      Trainer: mini-batch SGD
"""

from nntui.engine.control import Control
from nntui.engine.events import (
    BatchProgress,
    EpochReport,
    Event,
    Failed,
    Finished,
    Observer,
    Observers,
    Paused,
    Resumed,
)
from nntui.engine.network import Network, accuracy
from nntui.engine.training import Trainer, TrainingResult

__all__ = [
    "BatchProgress",
    "Control",
    "EpochReport",
    "Event",
    "Failed",
    "Finished",
    "Network",
    "Observer",
    "Observers",
    "Paused",
    "Resumed",
    "Trainer",
    "TrainingResult",
    "accuracy",
]
