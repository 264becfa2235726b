"""The command palette's entries: every key of the dashboard, the comparisons and the presets,
each found by its name and by the words of its title, and nothing run before Enter."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from nntui.presets import PRESETS
from nntui.studies.comparisons import COMPARISONS
from nntui.tui.commands import NNTuiCommands
from nntui.tui.dialogs.sweep import SweepScreen


async def found(provider: NNTuiCommands, query: str) -> list[str]:
    """What the palette offers for ``query``, closest first."""
    hits = [hit async for hit in provider.search(query)]
    return [hit.text for hit in sorted(hits, key=lambda hit: -hit.score)]


async def test_palette_lists_actions_and_presets(open_app):
    async with open_app() as (app, _, _):
        provider = NNTuiCommands(app.screen)
        names = [entry.display for entry in provider.entries()]
        for action in ("Start", "Pause", "Step", "Stop", "η×10", "η÷10", "Pace", "Help", "Quit"):
            assert action in names
        assert any(name.startswith("Preset: XOR") for name in names)


async def test_every_comparison_and_preset_is_found_by_its_name_and_its_title(open_app):
    async with open_app() as (app, _, _):
        provider = NNTuiCommands(app.screen)
        wanted = [(f"Compare: {c.title}", c.name, c.title) for c in COMPARISONS.values()]
        wanted += [(f"Preset: {p.title}", p.name, p.title) for p in PRESETS.values()]
        for display, name, title in wanted:
            backwards = " ".join(reversed(title.split()))
            for query in (name, name.replace("-", " "), title, backwards, title.lower()):
                assert display in await found(provider, query), (query, display)


async def test_a_prefix_finds_what_it_begins_not_letters_scattered_over_other_words(open_app):
    learning_rates = f"Compare: {COMPARISONS['learning-rates'].title}"
    async with open_app() as (app, _, _):
        provider = NNTuiCommands(app.screen)
        # "learning" is spelled out in no title: the name says it.  Weight init's title holds
        # l, e, a, r, n, i, n, g in order (Nielsen, large, normalized, weights), and was offered.
        assert await found(provider, "compare: learning") == [learning_rates]
        for query in ("learning rate", "learning-rates", "Compare: learn", "eta = 0.025"):
            assert (await found(provider, query))[0] == learning_rates, query
        assert f"Compare: {COMPARISONS['weight-init'].title}" in await found(provider,
                                                                            "weight init")
        # Keys by their key and η spelled out.
        assert "Start" in await found(provider, "f5")
        assert {"η÷10", "η×10"} <= set(await found(provider, "eta"))
        assert await found(provider, "zzz") == []


async def test_typing_in_the_palette_starts_nothing_before_enter(press, wait_for, open_app):
    async with open_app() as (app, pilot, _):
        started: list[str] = []
        app.dashboard.start_comparison = started.append  # what the entry would run
        await press(pilot, "ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        palette = app.screen
        commands = palette.query_one(CommandList)

        def offered() -> list[str]:
            return [str(commands.get_option_at_index(i).hit.text)
                    for i in range(commands.option_count)
                    if hasattr(commands.get_option_at_index(i), "hit")]

        await press(pilot, *"compare: learning")
        learning_rates = f"Compare: {COMPARISONS['learning-rates'].title}"
        await wait_for(pilot, lambda: offered() == [learning_rates])
        assert started == [] and CommandPalette.is_open(app)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: started == ["learning-rates"])
        assert not CommandPalette.is_open(app)


async def test_the_palette_and_the_help_offer_the_sweep(swept, open_app):
    async with open_app(swept) as (app, pilot, _):
        entries = {entry.display: entry for entry in NNTuiCommands(app.screen).entries()}
        sweep = entries["Sweep"]
        assert sweep.help.startswith("Train the form's config with one or two fields varied")
        assert sweep.help.endswith("[ctrl+f]")
        sweep.run()
        await pilot.pause()
        assert isinstance(app.screen, SweepScreen)
