"""The NumPy engine: networks, costs, initialization and the SGD trainer.

Pure NumPy with no knowledge of the app, the command line or the data sets: it trains any arrays it
is given and reports to whatever observer it is handed.
"""

from nntui.engine.events import (
    BatchProgress,
    Control,
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
