"""Nielsen's own training algorithm, as ``network2.py`` runs it, for timing beside nntui's engine.

Written for this benchmark from the book's description (chapters 1 to 3 of *Neural Networks and
Deep Learning*), not copied from its file: the same algorithm, step for step, in the same style.

* the training data is a list of (x, y) pairs, x a (784, 1) column and y a (10, 1) column;
* each epoch shuffles that list and cuts it into mini-batches of m pairs (the last may be smaller);
* for each mini-batch, every example goes through backprop *on its own*, as a column vector, and
  its gradients are added to the running sums ∇b and ∇w, one new array per layer per example;
* then every weight takes the L2-regularized step and every bias the plain one,

      w → (1 − ηλ/n) w − (η/m) ∇w,     b → b − (η/m) ∇b

  each building new arrays, as the book's list comprehensions do.

Sigmoid neurons, cross-entropy cost (δᴸ = a − y), and the book's "default" initialization
(w ~ N(0, 1/n_in), b ~ N(0, 1)).  Weights and biases are float64, as ``np.random.randn`` makes
them in the book; the inputs keep the dtype they are given.  No evaluation, no monitoring: only
what one epoch of ``SGD`` does with ``evaluation_data=None``.
"""

from __future__ import annotations

import random
from itertools import pairwise

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)(1 − σ(z)), recomputing σ(z) as the book does."""
    return sigmoid(z) * (1 - sigmoid(z))


class BookNetwork:
    """A network of sigmoid layers trained per example, as in ``network2.Network``."""

    def __init__(self, sizes: list[int], seed: int = 1):
        self.num_layers = len(sizes)
        self.sizes = sizes
        rng = np.random.default_rng(seed)
        self.biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
        self.weights = [rng.standard_normal((n, n_in)) / np.sqrt(n_in)
                        for n_in, n in pairwise(sizes)]

    def feedforward(self, a: np.ndarray) -> np.ndarray:
        for b, w in zip(self.biases, self.weights, strict=True):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def sgd_epoch(self, training_data: list, mini_batch_size: int, eta: float,
                  lmbda: float = 0.0, shuffle: random.Random | None = None) -> None:
        """One epoch of the book's ``SGD``: shuffle, cut into mini-batches, update on each."""
        n = len(training_data)
        (shuffle or random).shuffle(training_data)
        mini_batches = [training_data[k : k + mini_batch_size]
                        for k in range(0, n, mini_batch_size)]
        for mini_batch in mini_batches:
            self.update_mini_batch(mini_batch, eta, lmbda, n)

    def update_mini_batch(self, mini_batch: list, eta: float, lmbda: float, n: int) -> None:
        """Sum the per-example gradients of the mini-batch, then take the regularized step."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
        m = len(mini_batch)
        self.weights = [(1 - eta * (lmbda / n)) * w - (eta / m) * nw
                        for w, nw in zip(self.weights, nabla_w, strict=True)]
        self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b, strict=True)]

    def backprop(self, x: np.ndarray, y: np.ndarray) -> tuple[list, list]:
        """∂Cₓ/∂b and ∂Cₓ/∂w for one example, by the four equations of backpropagation."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # Forward, keeping every weighted input z and every activation.
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights, strict=True):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # Backward: cross-entropy with sigmoid output neurons gives δᴸ = a − y.
        delta = activations[-1] - y
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for back in range(2, self.num_layers):
            z = zs[-back]
            delta = np.dot(self.weights[-back + 1].transpose(), delta) * sigmoid_prime(z)
            nabla_b[-back] = delta
            nabla_w[-back] = np.dot(delta, activations[-back - 1].transpose())
        return nabla_b, nabla_w


def as_training_data(x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The book's training data: a list of (input column, target column) pairs, the inputs in
    their own dtype (float32 for MNIST, as the book's loader gives them) and the one-hot targets
    in float64, as the book's ``vectorized_result`` makes them."""
    return [(xi.reshape(-1, 1), yi.reshape(-1, 1).astype(np.float64))
            for xi, yi in zip(x, y, strict=True)]
