"""The books' experiments as presets: named values laid over the defaults.

Each preset is one experiment of Nielsen's chapter 3 (and 1 and 5) or Krohn's chapter 8, with the
figure it reproduces in its description; ``nntui --preset NAME``, ``nntui train --preset NAME``,
the app's command palette and the comparisons start from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nntui.config import Config, make_config


@dataclass(frozen=True)
class Preset:
    """A named experiment from the books: values laid over the defaults."""

    name: str
    title: str
    description: str
    values: Mapping[str, Any]

    def config(self) -> Config:
        return make_config(**self.values)


_NIELSEN = {"hidden": "30", "activation": "sigmoid", "output": "sigmoid", "cost": "cross-entropy",
            "init": "normalized", "eta": 0.5, "batch_size": 10, "epochs": 30}
_KROHN = {"validate_on": "test", "init": "glorot", "output": "softmax", "batch_size": 128,
          "regularization": "none", "lmbda": 0.0}
# The toys train in a blink; a pace stretches each run to a few seconds so it can be watched.
_NEURON = {"dataset": "neuron", "hidden": "", "output": "sigmoid", "batch_size": 1,
           "epochs": 300, "pace": 100, "regularization": "none", "lmbda": 0.0,
           "eval_train": False}

PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("nielsen-baseline", "Nielsen ch. 3: [784,30,10] cross-entropy",
           "The baseline of chapter 3: 30 sigmoid hidden neurons, cross-entropy, η = 0.5, "
           "mini-batches of 10, no regularization: about 96.3 % on validation here (the book: "
           "95.49 %), while training accuracy climbs on to 98.7 %.",
           {**_NIELSEN, "regularization": "none", "lmbda": 0.0}),
    Preset("nielsen-l2", "Nielsen ch. 3: baseline + L2, λ = 5",
           "The baseline with L2 regularization λ = 5.0: less overfitting (training and "
           "validation accuracy stay within a point), about 96.3 % on validation in 30 epochs "
           "(the book: 96.49 %).",
           {**_NIELSEN, "regularization": "l2", "lmbda": 5.0}),
    Preset("nielsen-100", "Nielsen ch. 3: 100 hidden neurons, λ = 5",
           "[784,100,10] with cross-entropy and L2 λ = 5.0: about 97.8 % on validation (the "
           "book: 97.92 %).",
           {**_NIELSEN, "hidden": "100", "regularization": "l2", "lmbda": 5.0}),
    Preset("nielsen-overfit", "Nielsen ch. 3: overfitting 1,000 images",
           "Only the first 1,000 training images, 400 epochs, old N(0,1) weights: training "
           "accuracy reaches 100 % while test accuracy stalls in the low 80s.",
           {**_NIELSEN, "train_size": 1000, "epochs": 400, "init": "large",
            "validate_on": "test", "regularization": "none", "lmbda": 0.0}),
    Preset("nielsen-overfit-l2", "Nielsen ch. 3: 1,000 images with L2, λ = 0.1",
           "The overfitting run with L2 λ = 0.1: test accuracy climbs several points higher.",
           {**_NIELSEN, "train_size": 1000, "epochs": 400, "init": "large",
            "validate_on": "test", "regularization": "l2", "lmbda": 0.1}),
    Preset("krohn-shallow", "Krohn ch. 8: shallow net, quadratic cost",
           "64 sigmoid neurons, softmax output, quadratic cost, Glorot init, batches of 128, "
           "200 epochs, all 60,000 images, validated on test. Keras' mean squared error averages "
           "(y − ŷ)² over the 10 outputs, so its gradient is 2/10 of the one of ½‖y − a‖²: his "
           "η = 0.01 takes the same steps as η = 0.002 here.",
           {**_KROHN, "hidden": "64", "activation": "sigmoid", "cost": "quadratic",
            "eta": 0.002, "epochs": 200}),
    Preset("krohn-intermediate", "Krohn ch. 8: intermediate 64-64 ReLU net",
           "Two ReLU layers of 64, softmax output with log-likelihood (Keras' categorical "
           "cross-entropy), Glorot init, η = 0.1, batches of 128, 20 epochs, all 60,000 images, "
           "validated on test: about 97.6 %.",
           {**_KROHN, "hidden": "64,64", "activation": "relu", "cost": "log-likelihood",
            "eta": 0.1, "epochs": 20}),
    Preset("speed-of-learning", "Five hidden layers: the speed of learning",
           "Nielsen's ch. 5 setting, one hidden layer deeper: [784,30,30,30,30,30,10] sigmoid "
           "with cross-entropy, 1,000 training images, mini-batches of 10, η = 0.1, 500 epochs. "
           "For about 130 epochs the learning-speed plot is a ladder: each layer learns about "
           "4-5× more slowly than the next, hidden layer 1 some 2,000× more slowly than the "
           "output, and accuracy sits near 10 %. Then the gradient reaches the early layers, the "
           "ladder folds up, and training accuracy climbs to 100 % (validation about 75 %). "
           "Batch size 1,000 with L2 λ = 5 is his own full-batch figure: the ladder without the "
           "take-off.",
           {**_NIELSEN, "hidden": "30,30,30,30,30", "train_size": 1000, "epochs": 500,
            "batch_size": 10, "eta": 0.1, "regularization": "none", "lmbda": 0.0}),
    Preset("neuron-quadratic", "One neuron, quadratic cost: the slowdown",
           "Nielsen's single neuron, input 1, target 0, starting at w = b = 2.0, quadratic "
           "cost, η = 0.15: saturated, its output a stays near 0.98 for some 150 epochs (0.96 at "
           "epoch 100), then falls to about 0.2 by epoch 300. The accuracy plot shows a.",
           {**_NEURON, "cost": "quadratic", "eta": 0.15, "neuron_w": 2.0, "neuron_b": 2.0}),
    Preset("neuron-cross-entropy", "One neuron, cross-entropy: no slowdown",
           "The same neuron under the cross-entropy cost at Nielsen's η = 0.005: no plateau, "
           "its cost falls from the first epoch, because σ'(z) cancels out of the gradient; at "
           "this small η its output a only goes from 0.98 to about 0.78 in 300 epochs (at the "
           "quadratic preset's η = 0.15 it is near 0 within 50: see the saturated-neuron "
           "comparison).",
           {**_NEURON, "cost": "cross-entropy", "eta": 0.005, "neuron_w": 2.0,
            "neuron_b": 2.0}),
    Preset("xor", "XOR with two small tanh layers",
           "The 2-D XOR set learned by an 8-8 tanh net with softmax and log-likelihood.",
           {"dataset": "xor", "hidden": "8,8", "activation": "tanh", "output": "softmax",
            "cost": "log-likelihood", "init": "glorot", "eta": 0.1, "batch_size": 10,
            "epochs": 50, "pace": 20, "regularization": "none", "lmbda": 0.0}),
    Preset("spiral", "Spiral: a hard 2-D set",
           "TensorFlow Playground's two spirals, learned by a 16-16-16 ReLU net.",
           {"dataset": "spiral", "hidden": "16,16,16", "activation": "relu",
            "output": "softmax", "cost": "log-likelihood", "init": "he", "eta": 0.01,
            "batch_size": 10, "momentum": 0.9, "epochs": 200, "pace": 50,
            "regularization": "none", "lmbda": 0.0}),
)}


def preset_of(config: Config) -> str:
    """The name of the preset ``config`` is, pace aside (the pace changes how a run looks, not
    what it computes), or "" when it is none of them."""
    return next((name for name, preset in PRESETS.items()
                 if preset.config().replace(pace=config.pace) == config), "")
