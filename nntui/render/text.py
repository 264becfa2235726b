"""Text from outside made safe to show on a terminal.

A run history may be shared, copied or made by someone else, and old run records, network files
and file names come from anywhere: a run's name, group or message, a config's data set, a note or a
path may hold characters a terminal obeys rather than shows.  ``ESC ] 0 ; … BEL`` sets the window's
title, other escape sequences move the cursor, recolour or clear the screen, and the bidirectional
controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) make text show in another order than it reads,
so that a name can pass for another.

* :func:`safe` is the one way such text is shown, by both front ends: every character a terminal
  could act on is written as its escape (``\\x1b``, ``\\u202e``), so it is seen, not obeyed.
* :func:`json_safe` does the same for JSON text meant for a terminal, keeping it valid JSON.
* :func:`refusal` says why a name typed by a person is refused, naming the character, so that no
  such character is stored in the first place.

What counts: the C0 and C1 control characters and DEL (Unicode category Cc, tab and newline among
them: a name is one line), the line and paragraph separators, the bidirectional controls, and lone
surrogates (which cannot even be written as UTF-8).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f"  # ARABIC LETTER MARK, LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # the embeddings, the pop and the overrides
    "\u2066\u2067\u2068\u2069"  # the isolates and their pop
)
"""The characters that change the order in which the text around them is shown."""

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
"""Every character :func:`safe` escapes: controls (Cc), the separators U+2028 and U+2029, the
bidirectional controls and lone surrogates."""

_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                             "\ud800-\udfff]")
"""What ``json.dumps(..., ensure_ascii=False)`` leaves as it is of :data:`_UNSAFE` (it escapes
U+0000 to U+001F itself)."""

C0_NAMES = ("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
            "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
            "SUB", "ESC", "FS", "GS", "RS", "US")
"""The control characters U+0000 to U+001F by their usual abbreviations (ESC, BEL …), which the
Unicode database does not name."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: Any, *, newlines: bool = False) -> str:
    """``value`` as text a terminal shows and never obeys: each character it could act on
    written as its escape, ``\\x1b`` or ``\\u202e`` (``newlines``: line breaks stay, for text of
    several lines such as CSV).  Text without such characters comes back as it is."""
    text = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(text) is None:
        return text
    if newlines:
        return "\n".join(_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _UNSAFE.sub(_escape, text)


def json_safe(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with the characters a
    terminal could act on written as ``\\u`` escapes: the same JSON, safe to print.  Such
    characters can only be inside JSON strings, where the escape means the same character."""
    if _UNSAFE_IN_JSON.search(text) is None:
        return text
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def character_name(char: str) -> str:
    """``ESC (U+001B)``, ``U+202E RIGHT-TO-LEFT OVERRIDE``: a character as a person can look it
    up."""
    code = ord(char)
    if code < len(C0_NAMES):
        return f"{C0_NAMES[code]} (U+{code:04X})"
    if code == 0x7F:
        return "DEL (U+007F)"
    name = unicodedata.name(char, "")
    return f"U+{code:04X} {name}" if name else f"U+{code:04X}"


def refusal(text: str, what: str = "a run name") -> str | None:
    """Why ``text`` may not be ``what``, naming the first character a terminal would act on,
    where it is and what it would do; None when there is none."""
    match = _UNSAFE.search(text)
    if match is None:
        return None
    char = match.group()
    where = f"character {match.start() + 1}"
    if char in BIDI_CONTROLS:
        why = ("it makes the text around it show in another order than it reads, so a name "
               "can pass for another")
    elif char in "\n\r\u2028\u2029":
        why = f"{what} is one line"
    elif "\ud800" <= char <= "\udfff":
        why = "it is half of a character, not text"
    else:
        why = ("a terminal showing it would obey it (set its title, move or clear) rather than "
               "show it")
    return f"{what} cannot hold {character_name(char)}, at {where}: {why}; remove it"
