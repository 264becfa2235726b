"""Tests of making text from a shared history or a file safe to show: every character a terminal
could obey is escaped, ordinary text (η, accents, CJK, emoji) is left alone, JSON stays the same
JSON, and a refused name says which character and why."""

from __future__ import annotations

import json
import unicodedata

import pytest

from nntui.render.text import BIDI_CONTROLS, character_name, json_safe, refusal, safe

TITLE_ATTACK = "pwn\x1b]0;HACKED\x07x"
"""A run name that sets a terminal's title when printed raw."""


def obeyed(text: str) -> list[str]:
    """The characters of ``text`` a terminal could act on rather than show."""
    return [char for char in text if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
            or char in BIDI_CONTROLS]


def test_escape_sequences_are_shown_not_obeyed() -> None:
    assert safe(TITLE_ATTACK) == "pwn\\x1b]0;HACKED\\x07x"
    assert safe("\x9b2J") == "\\x9b2J"  # the C1 control sequence introducer
    assert safe("a\tb\nc\rd\x7f\x00") == "a\\x09b\\x0ac\\x0dd\\x7f\\x00"


def test_bidirectional_controls_are_flagged() -> None:
    # "exe.txt" reads as "txt.exe" on a terminal that obeys the override.
    assert safe("report\u202etxt.exe") == "report\\u202etxt.exe"
    for char in BIDI_CONTROLS:
        assert safe(f"a{char}b") == f"a\\u{ord(char):04x}b"
    assert safe("a\u2028b\u2029c") == "a\\u2028b\\u2029c"


def test_every_control_character_is_escaped() -> None:
    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF)
    assert obeyed(safe(every)) == []
    assert safe("\udcff") == "\\udcff"  # a byte that was not UTF-8, as Python keeps it


@pytest.mark.parametrize("text", ["η=0.25 λ=5", "wide xor", "Zürich 東京 🧠", "a\\x1b", "",
                                  "ZWJ 👩\u200d💻"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert safe(text) == text


def test_several_lines_keep_their_breaks_when_asked() -> None:
    assert safe("a,b\nc\x1b,d\n", newlines=True) == "a,b\nc\\x1b,d\n"


def test_values_that_are_not_text_are_shown_as_text() -> None:
    assert safe(12) == "12"
    assert safe(None) == "None"


def test_json_stays_the_same_json() -> None:
    data = {"name": TITLE_ATTACK, "note": "η \u202e \x9b \u2028 \x7f", "n": [1, 2]}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    shown = json_safe(text)
    assert obeyed(shown.replace("\n", "")) == []
    assert json.loads(shown) == data
    assert "η" in shown  # the rest stays readable
    plain = json.dumps({"a": "b"})
    assert json_safe(plain) is plain


def test_a_refused_name_says_which_character_where_and_why() -> None:
    assert refusal("wide xor") is None
    assert refusal("") is None
    assert refusal(TITLE_ATTACK) == (
        "a run name cannot hold ESC (U+001B), at character 4: a terminal showing it would obey "
        "it (set its title, move or clear) rather than show it; remove it")
    assert refusal("abc\u202e") == (
        "a run name cannot hold U+202E RIGHT-TO-LEFT OVERRIDE, at character 4: it makes the text "
        "around it show in another order than it reads, so a name can pass for another; remove "
        "it")
    assert refusal("two\nlines").startswith("a run name cannot hold LF (U+000A), at character 4:"
                                             " a run name is one line")
    assert "half of a character" in refusal("x\udcff")


def test_character_names() -> None:
    assert character_name("\x07") == "BEL (U+0007)"
    assert character_name("\x7f") == "DEL (U+007F)"
    assert character_name("\x9b") == "U+009B"
    assert character_name("\u2066") == "U+2066 LEFT-TO-RIGHT ISOLATE"
