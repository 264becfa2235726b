"""The notice over the dashboard while the terminal is too small: short lines, readable in every
theme, whole at 40×12."""

from __future__ import annotations

from textual.app import App
from textual.color import Color

from nntui.tui.screens.too_small import TooSmallScreen, notice


def test_too_small_notice_has_short_lines():
    text = notice(40, 12)
    assert "40×12" in text.plain and "80×24" in text.plain and "Ctrl+Q" in text.plain
    # The box is 56 columns inside: on a roomier terminal no line wraps.
    assert max(len(line) for line in text.plain.splitlines()) <= 56


def luminance(color: Color) -> float:
    """WCAG relative luminance."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours (4.5 is the bar for body text)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


async def test_too_small_notice_is_readable_in_every_theme_and_fits_40x12():
    class Small(App[None]):
        def on_mount(self) -> None:
            self.push_screen(TooSmallScreen())

    app = Small()
    async with app.run_test(size=(40, 12)) as pilot:
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            box = app.screen.query_one("#too-small-text")
            # The colours the terminal is sent for the notice's heading, as drawn.
            segments = [segment for strip in app.screen._compositor.render_strips()
                        for segment in strip if "too small" in segment.text]
            assert segments, theme
            style = segments[0].style
            if style.color is None or style.color.is_default:
                # ANSI themes: the terminal's own default colours, readable by definition.
                assert style.bgcolor is None or style.bgcolor.is_default, theme
            else:
                fg = Color.from_rich_color(style.color)
                bg = Color.from_rich_color(style.bgcolor)
                assert contrast(fg, bg) >= 4.5, theme
            region = box.region
            assert region.x >= 0 and region.right <= 40 and region.bottom <= 12, theme
            lines = [strip.text for strip in app.screen._compositor.render_strips()]
            screen_text = "\n".join(lines)
            assert "Terminal too small" in screen_text and "Ctrl+Q" in screen_text, theme
