"""``nntui inspect``: what a saved network gets right and wrong, headless.

    nntui inspect NET.npz [--data-dir DIR] [--mistakes N] [--split test|validation]
    nntui inspect NET.npz --image FILE


Prints the accuracy on the split (the test set unless asked), the confusion matrix as a table
(true class × predicted class, the diagonal set apart, each class's accuracy, precision and
recall, the most frequent confusion named) and the N most confidently wrong examples: drawn with
half blocks for image data (a 28 × 28 digit in 28 × 14 cells), as coordinates for the 2-D sets.

With ``--image FILE`` (a PNG or PGM of any size, dark on light or light on dark) it shows the
network one picture instead: the picture prepared as MNIST's digits were (see
:mod:`nntui.insight.digit`), drawn in half blocks (plain blocks without colours when piped), and
the network's ten answers as bars, the top one named.  A picture that cannot be read, or a network
not made for 28 × 28 images, is a usage error.

The network file is read with :func:`nntui.storage.networks.load_network`, which checks every array
before building anything and never unpickles.  Errors are one line on stderr with exit status 2: a
missing, damaged or foreign file, a data set that cannot be loaded, or one whose examples do not fit
the network's input or output layer.  :func:`print_confusion` also serves ``nntui train
--confusion``.

A network file may come from anywhere: what this prints from it (its data set, paths in errors) is
shown through :func:`~nntui.render.text.safe` and never as markup.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from nntui.cli.arguments import consoles, whole_number
from nntui.config import Config, describe
from nntui.datasets import Dataset, DatasetError
from nntui.engine import Network
from nntui.insight.inspection import (
    Confusion,
    Predictions,
    confusion_of,
    image_shape,
    mistakes,
    predict,
)
from nntui.render.halfblock import grey_rgb, side_by_side, to_text
from nntui.render.text import safe
from nntui.status import ExitStatus

PROG = "nntui inspect"
DEFAULT_MISTAKES = 12
MAX_MISTAKES = 1000
DIAGONAL_STYLE = "bold green"
CONFUSED_STYLE = "bold red"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Measure a saved network on its data set: accuracy, the confusion matrix "
                    "and its most confident mistakes, drawn in the terminal.",
    )
    parser.add_argument("network", metavar="NET", help="a network saved by nntui (.npz or .json)")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="folder with the MNIST IDX files (default: $NNTUI_DATA_DIR or the "
                             "copy bundled with nntui)")
    parser.add_argument("--mistakes", metavar="N", type=whole_number(0, MAX_MISTAKES),
                        default=DEFAULT_MISTAKES,
                        help=f"how many of the most confident mistakes to show (0 to "
                             f"{MAX_MISTAKES}; default {DEFAULT_MISTAKES})")
    parser.add_argument("--split", choices=("test", "validation"), default="test",
                        help="the examples to measure on (default: test)")
    parser.add_argument("--image", metavar="FILE", default=None,
                        help="show the network one picture instead (PNG or PGM, any size, dark "
                             "on light or light on dark): the picture prepared as MNIST's digits "
                             "were, and the network's answers")
    return parser


class InspectError(Exception):
    """Something the user can fix: one line, exit 2."""


def load_checked(path: str, data_dir: str | None) -> tuple[Config, Network, Dataset]:
    """The network at ``path``, its config and its data set, checked to fit each other."""
    from nntui.runner.experiment import load_data
    from nntui.storage.errors import RunFileError
    from nntui.storage.networks import load_network

    try:
        config, network = load_network(path)
    except RunFileError as error:
        raise InspectError(str(error)) from None
    try:  # only the held-out splits are measured: one training example is all it needs
        data = load_data(config.replace(train_size=1), data_dir)
    except DatasetError as error:
        raise InspectError(f"could not load the data set '{config.dataset}': {error}") from None
    check_fits(network, data)
    return config, network, data


def check_fits(network: Network, data: Dataset) -> None:
    """Raise :class:`InspectError` when ``data`` cannot be fed to ``network``."""
    if data.n_inputs != network.sizes[0]:
        raise InspectError(
            f"the network takes {network.sizes[0]:,} inputs but the data set '{data.name}' has "
            f"{data.n_inputs:,} per example; inspect it with the data it was trained on")
    if max(data.n_outputs, 2) != max(network.sizes[-1], 2):
        raise InspectError(
            f"the network has {network.sizes[-1]:,} outputs but the data set '{data.name}' has "
            f"{data.n_outputs:,} classes; inspect it with the data it was trained on")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    console, err = consoles()
    if args.image is not None:
        return inspect_image(args.network, args.image, console, err)
    try:
        config, network, data = load_checked(args.network, args.data_dir)
        split = data.test if args.split == "test" else data.validation
        if args.split == "validation" and data.validation_is_test:
            console.print("(this network was validated on the test set: the validation split "
                          "is the test set)", style="dim", highlight=False)
        answers = predict(network, split.x, split.labels)
    except (InspectError, ValueError) as error:  # ValueError: predict's own checks
        err.print(f"{PROG}: error: {safe(error)}", highlight=False, markup=False)
        return ExitStatus.USAGE
    console.print(Text(safe(describe(config)), style="bold"), highlight=False)
    console.print(safe(data.description), highlight=False, markup=False)
    console.print(f"{args.split} accuracy: [bold]{100 * answers.accuracy:.2f} %[/] "
                  f"({int(answers.correct.sum()):,} of {len(answers):,})", highlight=False)
    print_confusion(console, confusion_of(answers), f"Confusion matrix, {args.split} set")
    if args.mistakes:
        print_mistakes(console, answers, split.x, args.mistakes)
    return ExitStatus.SUCCESS


# --- the confusion matrix ---------------------------------------------------------------------

def confusion_table(matrix: Confusion, title: str = "Confusion matrix") -> Table:
    """True classes down, predicted classes across; the diagonal in green, the most frequent
    confusion in red; each row's accuracy (its recall), and a last row of precisions.  Plain
    counts and no vertical rules, so ten classes fit 80 columns."""
    top = matrix.most_frequent_confusion()
    table = Table(title=f"{title}: true class ↓, predicted →",
                  caption=matrix.describe_most_frequent(), box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False, collapse_padding=True)
    table.add_column("true", justify="right", style="bold", no_wrap=True)
    k = matrix.n_classes
    for j in range(k):
        table.add_column(str(j), justify="right", no_wrap=True)
    table.add_column("acc.", justify="right", no_wrap=True)
    for i in range(k):
        cells = []
        for j in range(k):
            count = int(matrix.counts[i, j])
            if i == j:
                cells.append(Text(str(count), style=DIAGONAL_STYLE))
            elif top is not None and (i, j) == top[:2]:
                cells.append(Text(str(count), style=CONFUSED_STYLE))
            elif count == 0:
                cells.append(Text("·", style="dim"))
            else:
                cells.append(Text(str(count)))
        table.add_row(str(i), *cells, percent_text(matrix.per_class_accuracy[i]))
    table.add_section()
    table.add_row("prec.", *(percent_text(p, short=True) for p in matrix.precision),
                  percent_text(matrix.accuracy))
    return table


def percent_text(value: float, short: bool = False) -> Text:
    if value is None or math.isnan(value):
        return Text("–", style="dim")
    return Text(f"{100 * value:.0f}%" if short else f"{100 * value:.1f}%")


def print_confusion(console: Console, matrix: Confusion, title: str) -> None:
    console.print(confusion_table(matrix, title))


# --- the mistakes --------------------------------------------------------------------------------

CARD_GAP = 2


def print_mistakes(console: Console, answers: Predictions, x: np.ndarray, count: int) -> None:
    """The ``count`` most confident mistakes: images side by side, as many to a row as the
    console is wide, each captioned with its true class, the answer and the confidence; for
    inputs that are not images, a table."""
    order = mistakes(answers)[:count]
    total_wrong = int((~answers.correct).sum())
    if not len(order):
        console.print("No mistakes.", highlight=False)
        return
    console.print(f"The {len(order):,} most confident of {total_wrong:,} mistakes:",
                  style="bold", highlight=False)
    shape = image_shape(x.shape[1])
    if shape is None:
        table = Table(show_lines=False)
        for header in ("#", "input", "true", "said", "confidence"):
            table.add_column(header, justify="right")
        for index in order:
            inputs = ", ".join(f"{v:.3g}" for v in x[index][:6])
            table.add_row(str(int(index)), inputs, str(int(answers.labels[index])),
                          str(int(answers.predicted[index])),
                          f"{100 * answers.confidence[index]:.1f}%")
        console.print(table)
        return
    width = shape[1]
    per_row = max(1, (console.width + CARD_GAP) // (width + CARD_GAP))
    for start in range(0, len(order), per_row):
        chunk = order[start : start + per_row]
        images = [grey_rgb(x[index].reshape(shape)) for index in chunk]
        console.print(to_text(side_by_side(images, gap=CARD_GAP)))
        captions = Text(no_wrap=True, overflow="crop")
        for n, index in enumerate(chunk):
            caption = caption_for(answers, int(index))
            if n:
                captions.append(" " * CARD_GAP)
            captions.append(caption.ljust(width)[:width])
        console.print(captions)
        console.print()


def caption_for(answers: Predictions, index: int) -> str:
    """``true 4 → 9 at 97%``: what one mistake's caption says."""
    return (f"true {int(answers.labels[index])} → {int(answers.predicted[index])} "
            f"at {100 * answers.confidence[index]:.0f}%")


# --- one picture ---------------------------------------------------------------------------------

BARS_WIDTH = 60


def inspect_image(network_path: str, image_path: str, console: Console, err: Console) -> int:
    """Show the network at ``network_path`` the picture at ``image_path``: the prepared input
    and the answers.  Usage errors for a picture or a network that do not fit."""
    from nntui.datasets.classes import class_names
    from nntui.datasets.image import read_ink
    from nntui.insight.digit import BlankImage, answer, check_image_network, prepare
    from nntui.render.digit import answer_bars, digit_text
    from nntui.storage.errors import RunFileError
    from nntui.storage.networks import load_network

    try:
        config, network = load_network(network_path)
        check_image_network(network)
        prepared = prepare(read_ink(image_path))
    except (RunFileError, DatasetError, BlankImage, ValueError) as error:
        err.print(f"{PROG}: error: {safe(error)}", highlight=False, markup=False)
        return ExitStatus.USAGE
    said = answer(network, prepared)
    names = class_names(config.dataset, len(said.shares))
    colour = console.is_terminal and console.color_system is not None
    console.print(Text(safe(describe(config)), style="bold"), highlight=False)
    console.print(f"{safe(image_path)}, prepared as MNIST's digits were (fit to 20 × 20, centre "
                  "of mass at the centre): what the network sees", highlight=False,
                  markup=False)
    console.print(digit_text(prepared, colour))
    top = said.top
    console.print(Text.assemble("The network says: ", (safe(names[top]), "bold green"),
                                f" ({100 * said.shares[top]:.1f} %)"), highlight=False)
    console.print(Text(said.how, style="dim"), highlight=False)
    console.print(answer_bars(said, names, min(console.width, BARS_WIDTH)))
    return ExitStatus.SUCCESS
