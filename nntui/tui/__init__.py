"""The ``nntui`` terminal app: a hyperparameter form, training in a worker thread, live plots.

The UI stays thin: every number it shows comes from the engine's events, turned into messages by
:mod:`nntui.tui.controllers.training` on the worker thread, so the app's thread only draws.
"""

from __future__ import annotations

from pathlib import Path

from nntui.config import Config


def run_app(config: Config, *, data_dir: str | None = None,
            runs_db: str | Path | None = None, load: str | Path | None = None) -> int:
    """Open the app with ``config`` in its form until it is quit; its exit status.  ``load``: a
    saved network to train on from, loaded as the app's own "load network" does."""
    from nntui.tui.app import NNTuiApp

    app = NNTuiApp(config=config, data_dir=data_dir, runs_db=runs_db,
                   load=None if load is None else Path(load))
    app.run()
    return app.return_code or 0
