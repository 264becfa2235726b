"""The dashboard as its controllers see it: what they read and where they draw.

A controller (:class:`~nntui.tui.controllers.training.Training`,
:class:`~nntui.tui.controllers.hyperparameters.Hyperparameters`,
:class:`~nntui.tui.controllers.sweeps.Sweeps`,
:class:`~nntui.tui.controllers.comparisons.Comparisons`,
:class:`~nntui.tui.controllers.inspection.Inspection`) holds its own state and is handed the
:class:`~nntui.tui.screens.dashboard.DashboardScreen` it works for.  The screens import the
controllers, never the other way round, and no controller calls another, so a controller knows
the dashboard only through this protocol: the settings, the run history and the run state, the
widgets it writes to, and the few ways the dashboard draws.  Where one thing involves several
controllers (a comparison's run is shown as any run is), the dashboard's handler calls each in
turn; screens and dialogs are pushed by the dashboard alone.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from textual.app import App
from textual.message import Message

from nntui.config import Config
from nntui.engine import Network
from nntui.render.plots import RunCurves, Series
from nntui.storage.history import RunHistory
from nntui.tui.settings import Settings
from nntui.tui.state import RunState, Status
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.form import ConfigForm
from nntui.tui.widgets.log import EpochLog
from nntui.tui.widgets.plots import PlotData

W = TypeVar("W")


class Board(Protocol):
    """What :class:`~nntui.tui.screens.dashboard.DashboardScreen` offers its controllers."""

    settings: Settings
    history: RunHistory | None
    run_state: RunState
    quitting: bool  # the app is stopping everything to exit: draw nothing more
    live_plots: PlotData  # the run on show's curves, as its worker last sent them
    overlays: list[RunCurves]  # the pinned runs' curves, drawn beside the live run
    show_overlays: bool
    overlay_split: str  # "held-out" or "training": which curves of the pinned runs are drawn

    @property
    def app(self) -> App[Any]: ...

    @property
    def sweeping(self) -> bool:
        """A sweep is under way (its runs are drawn in the pinned runs' place)."""

    @property
    def form(self) -> ConfigForm: ...

    @property
    def epoch_log(self) -> EpochLog: ...

    def query_one(self, selector: type[W]) -> W: ...

    def notify(self, message: str, *, title: str = "", severity: str = "information",
               timeout: float | None = None) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def run_worker(self, work: Any, *, thread: bool = False, group: str = "default",
                   exclusive: bool = False, exit_on_error: bool = True) -> Any: ...

    def log_note(self, message: str, style: str = "cyan") -> None:
        """Write a line of words in the epoch log."""

    def show_status(self, status: Status | None = None) -> None:
        """Show the run state's status (after replacing it with ``status``, when given)."""

    def draw_plots(self) -> None:
        """Redraw the three plots: the live run's curves, the pinned or swept runs beside."""

    def draw_running(self, running: Series) -> None:
        """Redraw the cost plot alone, with the running mini-batch cost."""

    def load_overlays(self) -> None:
        """Read the pinned runs from the history again and redraw."""

    def show_pinned(self, split: str | None = None) -> None:
        """Show the pinned runs beside the live one (on ``split``, when given), read again."""

    def show_plane(self, config: Config) -> BoundaryPanel | None:
        """On a 2-D set the decision-boundary panel in the speed plot's place (returned)."""

    def load_points(self, config: Config, network: Network | None = None) -> None:
        """Draw the 2-D set's points (and ``network``'s field) in the panel, from a worker."""

    def describe_form(self, prefix: str = "") -> None:
        """While idle, say in the status line what F5 would train."""
