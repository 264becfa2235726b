"""Command-palette (Ctrl+P) entries: every app action, and every preset of the books.

The actions and their help come from the app's own bindings, so the palette, the help screen and
the footer never disagree.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from nntui.presets import PRESETS
from nntui.studies.comparisons import COMPARISONS

if TYPE_CHECKING:
    from nntui.tui.app import NNTuiApp


class NNTuiCommands(Provider):
    """Actions (start, pause, η ×10, …) and ``Preset: …`` entries that fill the form."""

    def _entries(self) -> list[tuple[str, str, object]]:
        app: NNTuiApp = self.app  # type: ignore[assignment]
        entries: list[tuple[str, str, object]] = []
        for key, action, description, help_text in app.command_bindings():
            if action == "command_palette":
                continue  # already open
            entries.append((description, f"{help_text} [{key}]",
                            partial(app.palette_action, action)))
        for comparison in COMPARISONS.values():
            entries.append((f"Compare: {comparison.title}",
                            f"{comparison.description} Watch: {comparison.watch}",
                            partial(app.start_comparison, comparison.name)))
        for preset in PRESETS.values():
            entries.append((f"Preset: {preset.title}", preset.description,
                            partial(app.apply_preset, preset.name)))
        return entries

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback,  # type: ignore[arg-type]
                          help=help_text)

