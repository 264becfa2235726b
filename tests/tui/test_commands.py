"""The command palette's entries: every key of the dashboard, the comparisons and the presets."""

from __future__ import annotations

from nntui.tui.commands import NNTuiCommands
from nntui.tui.dialogs.sweep import SweepScreen


async def test_palette_lists_actions_and_presets(open_app):
    async with open_app() as (app, _, _):
        provider = NNTuiCommands(app.screen)
        names = [name for name, _, _ in provider._entries()]
        for action in ("Start", "Pause", "Step", "Stop", "η×10", "η÷10", "Pace", "Help", "Quit"):
            assert action in names
        assert any(name.startswith("Preset: XOR") for name in names)


async def test_the_palette_and_the_help_offer_the_sweep(swept, open_app):
    async with open_app(swept) as (app, pilot, _):
        entries = {name: (help_text, callback)
                   for name, help_text, callback in NNTuiCommands(app.screen)._entries()}
        help_text, callback = entries["Sweep"]
        assert help_text.startswith("Train the form's config with one or two fields varied")
        assert help_text.endswith("[ctrl+f]")
        callback()
        await pilot.pause()
        assert isinstance(app.screen, SweepScreen)
