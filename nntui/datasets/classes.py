"""What each class of a data set is called, for a person reading a network's answer.

MNIST's classes are the digits themselves; Fashion-MNIST's ten are the kinds of clothing of its
labels 0 to 9, in the order Zalando's README gives them.  Any other set is known by its label
numbers.
"""

from __future__ import annotations

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")
"""Fashion-MNIST's labels 0 … 9."""


def class_names(dataset: str, n_classes: int) -> tuple[str, ...]:
    """The names of ``n_classes`` classes of the data set called ``dataset``: Fashion-MNIST's
    clothes, otherwise the label numbers (MNIST's digits)."""
    if dataset.strip().lower() == "fashion-mnist" and n_classes == len(FASHION_CLASSES):
        return FASHION_CLASSES
    return tuple(str(label) for label in range(n_classes))
