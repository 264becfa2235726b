"""The dashboard's footer: the most used keys that fit whole, F1 for the rest, at any width."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from nntui.tui.dialogs.help import HelpScreen

ALL_KEYS = "Help, all keys"


def footer_line(app) -> str:
    return app.screen._compositor.render_strips()[-1].text


def shown(app) -> list[str]:
    """The footer's keys as they read: ``f5 Start``."""
    footer = app.dashboard.query_one(Footer)
    return [f"{key.key_display} {key.description}" for key in footer.children
            if hasattr(key, "key_display")]


@pytest.mark.parametrize(("size", "wanted", "left_out"), [
    ((80, 24), ["^q Quit", "f5 Start", "f6 Pause", "f7 Step", "f8 Stop", "f9 η÷10", "f10 η×10"],
     ["^o Mistakes"]),
    ((120, 40), ["^q Quit", "f5 Start", "f8 Stop", "f2 Runs", "^f Sweep", "^o Mistakes",
                 "^n Neurons"], ["^r Reset"]),
])
async def test_the_footer_shows_the_most_used_keys_that_fit_and_f1_for_the_rest(size, wanted,
                                                                               left_out,
                                                                               open_app):
    async with open_app(size=size) as (app, pilot, _):
        line = footer_line(app)
        assert line.rstrip().endswith(f"f1 {ALL_KEYS}"), line
        keys = shown(app)
        assert all(key in keys for key in wanted) and keys[0] == "^q Quit", keys
        for key in keys:  # each whole, none cut by the edge
            assert key in line, (key, line)
        assert not any(key in keys for key in left_out), keys
        # What the footer leaves out, F1 lists.
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = " ".join(description for _, description in app.screen.bindings)
        for _, _, description, _ in app.dashboard.command_bindings():
            assert f"**{description}**" in listed


async def test_the_footer_lays_itself_out_again_when_the_terminal_narrows(open_app):
    async with open_app(size=(120, 40)) as (app, pilot, _):
        assert "^o Mistakes" in shown(app)
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        keys = shown(app)
        assert "^o Mistakes" not in keys and keys[-1] == f"f1 {ALL_KEYS}"
        line = footer_line(app)
        assert all(key in line for key in keys), line
