"""What both front ends draw of a digit shown to a network: the picture and the ten bars.

:func:`digit_text` is the prepared 28 × 28 input in half blocks, two pixels a cell: in grey
levels on a terminal with colours, and in plain '▀', '▄', '█' and spaces (a pixel is ink from
half of full ink on) where there are none, so a piped ``nntui inspect --image`` still shows the
digit's shape.  :func:`answer_bars` is one line per class: its name, a bar as long as its share
(eighths of a cell at the tip), the share in per cent, and for outputs that are not a softmax the
output itself (``a``), since the bars then show the outputs normalized, not as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text

from nntui.insight.digit import Answer
from nntui.render.halfblock import grey_rgb, to_text

MONO_CELLS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
"""A cell of two pixels without colours: upper pixel inked, lower pixel inked."""
EIGHTHS = " ▏▎▍▌▋▊▉"
"""The tip of a bar: 0 to 7 eighths of a cell."""
TOP_STYLE = "bold green"
BAR_STYLE = "cyan"
RAW_WIDTH = 10
"""Cells of an output shown as it is: "  a  0.931"."""


def mono_halfblock(values: np.ndarray, threshold: float = 0.5) -> str:
    """Lines of '▀▄█ ' for a 2-D array of grey levels (0 … 1): two pixel rows a line."""
    ink = np.asarray(values) >= threshold
    if ink.shape[0] % 2:
        ink = np.vstack([ink, np.zeros((1, ink.shape[1]), dtype=bool)])
    return "\n".join("".join(MONO_CELLS[bool(upper), bool(lower)] for upper, lower in
                             zip(ink[row], ink[row + 1], strict=True))
                     for row in range(0, ink.shape[0], 2))


def digit_text(prepared: np.ndarray, colour: bool) -> Text:
    """The prepared input in half blocks: grey levels with ``colour``, else ink or paper."""
    if colour:
        return to_text(grey_rgb(prepared))
    return Text(mono_halfblock(prepared), no_wrap=True, overflow="crop")


def bar(share: float, width: int) -> str:
    """A bar ``share`` (0 … 1) of ``width`` cells long, to an eighth of a cell."""
    eighths = round(min(max(share, 0.0), 1.0) * width * 8)
    full, tip = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[tip] if tip else "")).ljust(width)


def answer_bars(said: Answer, names: Sequence[str], width: int) -> Text:
    """One line per class, ``width`` cells wide at most: name, bar, per cent (and ``a`` when the
    bars are normalized outputs); the top answer in bold green."""
    label_width = max(len(name) for name in names)
    raw = said.normalized
    fixed = label_width + 1 + 7 + (RAW_WIDTH if raw else 0)  # "name ", " 99.9%", "  a 0.931"
    bar_width = max(1, width - fixed)
    text = Text(no_wrap=True, overflow="crop")
    top = said.top
    for index, (name, share) in enumerate(zip(names, said.shares, strict=True)):
        if index:
            text.append("\n")
        style = TOP_STYLE if index == top else ""
        text.append(f"{name:>{label_width}} ", style=style or "bold")
        text.append(bar(float(share), bar_width), style=style or BAR_STYLE)
        text.append(f" {100 * float(share):5.1f}%", style=style)
        if raw:
            text.append(f"  a {float(said.outputs[index]):6.3f}"[:RAW_WIDTH], style="dim")
    return text
