"""The base of the messages a run's worker posts to the dashboard, and the one that tells the app
a file was saved (:class:`FileSaved`).

``post_message`` is thread-safe, so a worker thread hands finished, ready-to-draw data to the UI
thread through messages.  Each message is a dataclass defined next to what posts it (toolong's
way): a run's progress, epochs and end in :mod:`nntui.tui.controllers.training`, its decision
fields, hints and predictions in :mod:`nntui.tui.controllers.inspection`, a comparison's runs in
:mod:`nntui.tui.controllers.comparisons`, a sweep's progress in
:mod:`nntui.tui.controllers.sweeps`.  A message posted several times a second says, through
Textual's :meth:`~textual.message.Message.can_replace`, when a newer one may take its place
while it waits unhandled; one that carries an epoch or a curve never may.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


@dataclass(kw_only=True)
class RunMessage(Message, bubble=False):
    """What the worker of run ``run`` says: the number lets the dashboard drop the late
    messages of a run it has replaced.  Handled where it is posted (the dashboard), so it does
    not bubble on to the app."""

    run: int


@dataclass
class FileSaved(Message):
    """A screen or controller wrote a file a person asked for (a saved network, an exported
    run): it bubbles up to the app, which, served to a browser, offers the file there as a
    download too."""

    path: Path
