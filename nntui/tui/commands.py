"""Command-palette (Ctrl+P) entries: every key of the dashboard, the books' comparisons and
their presets.

The actions and their help come from the dashboard's own bindings, so the palette, the help
screen and the footer never disagree.  The provider is the dashboard's (its ``COMMANDS``), so
:attr:`Provider.screen` is the dashboard; it is known here only by what the palette asks of it
(:class:`PaletteSource`), as the dashboard imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from nntui.presets import PRESETS
from nntui.studies.comparisons import COMPARISONS


class PaletteSource(Protocol):
    """What the palette offers of the screen it was opened over."""

    def command_bindings(self) -> list[tuple[str, str, str, str]]:
        """(keys, action, description, help) of every key."""

    def palette_action(self, action: str) -> None:
        """Run an action by name."""

    def start_comparison(self, name: str) -> None:
        """Run one of the books' comparisons."""

    def apply_preset(self, name: str) -> None:
        """Fill the form with one of the books' presets."""


class NNTuiCommands(Provider):
    """Actions (start, pause, η ×10, …), ``Compare: …`` and ``Preset: …`` entries."""

    def _entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        source = cast(PaletteSource, self.screen)
        entries: list[tuple[str, str, Callable[[], object]]] = []
        for key, action, description, help_text in source.command_bindings():
            if action.endswith("command_palette"):
                continue  # already open
            entries.append((description, f"{help_text} [{key}]",
                            partial(source.palette_action, action)))
        for comparison in COMPARISONS.values():
            entries.append((f"Compare: {comparison.title}",
                            f"{comparison.description} Watch: {comparison.watch}",
                            partial(source.start_comparison, comparison.name)))
        for preset in PRESETS.values():
            entries.append((f"Preset: {preset.title}", preset.description,
                            partial(source.apply_preset, preset.name)))
        return entries

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
