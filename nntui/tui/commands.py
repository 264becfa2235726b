"""Command-palette (Ctrl+P) entries: every key of the dashboard, the books' comparisons and
their presets.

The actions and their help come from the dashboard's own bindings, so the palette, the help
screen and the footer never disagree.  The provider is the dashboard's (its ``COMMANDS``), so
:attr:`Provider.screen` is the dashboard; it is known here only by what the palette asks of it
(:class:`PaletteSource`), as the dashboard imports this module.

Finding an entry: a person types what they know of it, which is its name as the README and the
command line spell it (``learning-rates``, ``nielsen-l2``), the words of its title ("weight
init", "η = 0.025"), a key ("f5") or η spelled out ("eta").  Textual's fuzzy matcher alone sees
only the title and takes any letters in order, so "learning" found "Nielsen ch. 3: large vs
normalized initial weights" (l from Nielsen, e, a, r from large, ...) and not the learning
rates, whose title says η; with a single hit one Enter started that comparison.  So each entry is
matched against every way of naming it (:attr:`Entry.names`), and an entry is offered only when
each word typed begins a word of one of those names: a typed prefix matches what it is a prefix
of, never letters scattered over other words.  Textual's matcher still orders the hits (closest
first) and marks the letters matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

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


SPELLED_OUT = {"η": "eta", "λ": "lambda", "÷": " divide ", "×": " times "}
"""Symbols of the titles and key names as a keyboard types them."""

WORD = re.compile(r"[^\W_]+", re.UNICODE)
"""A word: letters and digits (so ``learning-rates`` is two words, ``[784,30,10]`` three)."""


def spelled_out(text: str) -> str:
    for symbol, words in SPELLED_OUT.items():
        text = text.replace(symbol, words)
    return text


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


@dataclass(frozen=True)
class Entry:
    """One thing the palette offers: what it shows (``display``, ``help``), what it runs, and the
    other ways a person may name it (``aliases``: its name, its key)."""

    display: str
    help: str
    run: Callable[[], object]
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Every way of naming the entry, the title first, each also with its symbols spelled
        out."""
        names = [self.display, *self.aliases]
        return list(dict.fromkeys([*names, *(spelled_out(name) for name in names)]))

    def found_by(self, query: str) -> bool:
        """Whether each word of ``query`` begins a word of one name of the entry (in any
        order)."""
        wanted = words(spelled_out(query))
        if not wanted:
            return False
        return any(all(any(word.startswith(w) for word in have) for w in wanted)
                   for have in (words(name) for name in self.names))

    def score(self, matcher: Matcher) -> float:
        """How close ``matcher``'s query comes to the entry: Textual's score on its closest
        name, or a little above nothing when the words were typed in another order."""
        return max([matcher.match(name) for name in self.names] + [0.01])

    def highlight(self, matcher: Matcher) -> Content:
        """The title, the letters the query matched in it marked (read as plain text: a title's
        brackets are not markup)."""
        content = Content(self.display)
        score, offsets = matcher.fuzzy_search.match(matcher.query, self.display)
        if not score:
            return content
        for offset in offsets:
            if not self.display[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
        return content


def named(name: str) -> tuple[str, ...]:
    """A comparison's or preset's name as typed: ``learning-rates`` and ``learning rates``."""
    return (name, name.replace("-", " "))


class NNTuiCommands(Provider):
    """Actions (start, pause, η ×10, …), ``Compare: …`` and ``Preset: …`` entries."""

    def entries(self) -> list[Entry]:
        source = cast(PaletteSource, self.screen)
        entries: list[Entry] = []
        for key, action, description, help_text in source.command_bindings():
            if action.endswith("command_palette"):
                continue  # already open
            spoken = action.split(".")[-1].replace("_", " ")  # "eta up", "toggle log"
            entries.append(Entry(description, f"{help_text} [{key}]",
                                 partial(source.palette_action, action),
                                 (spoken, key.replace(" / ", " "))))
        for comparison in COMPARISONS.values():
            entries.append(Entry(f"Compare: {comparison.title}",
                                 f"nntui compare {comparison.name}: {comparison.description} "
                                 f"Watch: {comparison.watch}",
                                 partial(source.start_comparison, comparison.name),
                                 tuple(f"Compare: {n}" for n in named(comparison.name))))
        for preset in PRESETS.values():
            entries.append(Entry(f"Preset: {preset.title}",
                                 f"--preset {preset.name}: {preset.description}",
                                 partial(source.apply_preset, preset.name),
                                 tuple(f"Preset: {n}" for n in named(preset.name))))
        return entries

    async def discover(self) -> Hits:
        for entry in self.entries():
            yield DiscoveryHit(entry.display, entry.run, text=entry.display, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries():
            if entry.found_by(query):
                yield Hit(entry.score(matcher), entry.highlight(matcher), entry.run,
                          text=entry.display, help=entry.help)
