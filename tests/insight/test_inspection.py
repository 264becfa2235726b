"""Looking inside a network: predictions, the confusion matrix with known counts, mistakes in
order of confidence, the decision field and the weight images."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntui.engine import Network
from nntui.insight.inspection import (
    TOY_EXTENT,
    confusion,
    confusion_of,
    decision_field,
    field_grid,
    image_shape,
    mistakes,
    predict,
    toy_extent,
    weight_images,
)
from nntui.presets import PRESETS
from nntui.runner.experiment import build_trainer, load_data


def fixed_network(weights, biases, output="softmax", cost="log-likelihood",
                  activation="sigmoid") -> Network:
    sizes = [np.asarray(weights[0]).shape[1]] + [np.asarray(w).shape[0] for w in weights]
    network = Network(sizes, activation=activation, output=output, cost=cost, dtype="float64")
    network.weights = [np.asarray(w, dtype=np.float64) for w in weights]
    network.biases = [np.asarray(b, dtype=np.float64) for b in biases]
    return network


# --- the confusion matrix ------------------------------------------------------------------------

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
SAID = np.array([0, 0, 1, 1, 2, 2, 2, 1, 1])


def test_known_counts():
    matrix = confusion(LABELS, SAID, 3)
    assert matrix.counts.tolist() == [[2, 1, 0], [0, 1, 1], [0, 2, 2]]
    assert matrix.total == 9 and matrix.correct == 5
    assert matrix.accuracy == pytest.approx(5 / 9)
    assert matrix.per_class_accuracy.tolist() == pytest.approx([2 / 3, 1 / 2, 2 / 4])
    assert matrix.recall.tolist() == matrix.per_class_accuracy.tolist()
    assert matrix.precision.tolist() == pytest.approx([2 / 2, 1 / 4, 2 / 3])
    assert matrix.most_frequent_confusion() == (2, 1, 2)
    assert matrix.describe_most_frequent() == "most frequent confusion: 2 taken for 1, 2 times"


def test_a_class_never_seen_or_never_said_has_no_ratio():
    matrix = confusion(np.array([0, 0, 1]), np.array([0, 0, 1]), 3)
    assert math.isnan(matrix.per_class_accuracy[2]) and math.isnan(matrix.precision[2])
    assert matrix.most_frequent_confusion() is None
    assert "no confusions" in matrix.describe_most_frequent()


def test_ties_name_the_lower_true_class():
    matrix = confusion(np.array([0, 1]), np.array([1, 0]), 2)
    assert matrix.most_frequent_confusion() == (0, 1, 1)
    assert matrix.describe_most_frequent().endswith("1 time")


@pytest.mark.parametrize(("labels", "said", "words"), [
    (np.array([0, 3]), np.array([0, 1]), "label is outside"),
    (np.array([0, 1]), np.array([0, -1]), "prediction is outside"),
    (np.array([0, 1]), np.array([0]), "same length"),
])
def test_bad_classes_are_refused(labels, said, words):
    with pytest.raises(ValueError, match=words):
        confusion(labels, said, 3)


# --- predictions and mistakes --------------------------------------------------------------------

def test_predictions_of_a_fixed_softmax_network():
    # One layer, no hidden: output z = x (the identity), so the answer is the largest input.
    network = fixed_network([np.eye(3)], [np.zeros(3)])
    x = np.array([[5.0, 0, 0], [0, 1.0, 0.9], [0, 0, 3.0], [2.0, 0, 0]])
    answers = predict(network, x, np.array([0, 2, 2, 1]))
    assert answers.predicted.tolist() == [0, 1, 2, 0]
    assert answers.correct.tolist() == [True, False, True, False]
    assert answers.accuracy == 0.5
    expected = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert answers.confidence == pytest.approx(expected[np.arange(4), [0, 1, 2, 0]])
    assert confusion_of(answers).counts.tolist() == [[1, 0, 0], [1, 0, 0], [0, 1, 1]]
    # The mistakes: example 3 (said 0 at 0.79) is surer than example 1 (said 1 at 0.41).
    assert mistakes(answers).tolist() == [3, 1]
    assert mistakes(answers, true_class=2).tolist() == [1]
    assert mistakes(answers, predicted_class=0).tolist() == [3]
    assert mistakes(answers, true_class=1, predicted_class=0).tolist() == [3]
    assert mistakes(answers, true_class=0).tolist() == []


def test_a_single_output_neuron_answers_one_above_a_half():
    network = fixed_network([np.array([[1.0]])], [np.zeros(1)], output="sigmoid",
                            cost="cross-entropy")
    answers = predict(network, np.array([[2.0], [-1.0]]), np.array([1, 1]))
    assert answers.predicted.tolist() == [1, 0] and answers.n_classes == 2
    sigma = 1 / (1 + np.exp(-np.array([2.0, -1.0])))
    assert answers.confidence == pytest.approx([sigma[0], 1 - sigma[1]])


def test_inputs_of_the_wrong_size_are_refused():
    network = fixed_network([np.eye(3)], [np.zeros(3)])
    with pytest.raises(ValueError, match="takes 3 inputs but the examples have 2"):
        predict(network, np.zeros((4, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="labels must be 0 to 2"):
        predict(network, np.zeros((1, 3)), np.array([5]))


# --- the decision field --------------------------------------------------------------------------

def test_the_grid_runs_left_to_right_and_top_to_bottom():
    grid = field_grid(2, 4, extent=1.0)
    assert grid[:4, 0].tolist() == pytest.approx([-0.75, -0.25, 0.25, 0.75])
    assert grid[:4, 1].tolist() == pytest.approx([0.5] * 4)
    assert grid[4:, 1].tolist() == pytest.approx([-0.5] * 4)
    with pytest.raises(ValueError):
        field_grid(0, 3)


def test_field_of_a_network_that_says_class_one_on_the_right():
    # Hidden layer of two tanh neurons: h1 = tanh(4x), h2 = tanh(4y); outputs (−h1, h1).
    network = fixed_network([np.array([[4.0, 0], [0, 4.0]]), np.array([[-1.0, 0], [1.0, 0]])],
                            [np.zeros(2), np.zeros(2)], activation="tanh")
    field = decision_field(network, rows=4, cols=6, extent=1.0)
    assert field.shape == (4, 6) and field.views == 3
    assert (field.output[:, :3] < 0.5).all() and (field.output[:, 3:] > 0.5).all()
    assert field.output[:, 0] == pytest.approx(1 / (1 + np.exp(2 * np.tanh(4 * 5 / 6))))
    assert field.hidden_range() == (-1.0, 1.0)
    assert (field.view(1)[:, 0] < 0.5).all() and (field.view(1)[:, -1] > 0.5).all()
    assert (field.view(2)[0] > 0.5).all() and (field.view(2)[-1] < 0.5).all()  # y up
    with pytest.raises(IndexError, match="neurons of layer 1"):
        field.view(3)
    rows, cols = field.pixel_of(np.array([[-0.99, 0.99], [0.99, -0.99], [2.0, 0.0]]))
    assert rows.tolist()[:2] == [0, 3] and cols.tolist()[:2] == [0, 5] and cols[2] >= 6


def test_field_of_trained_xor_matches_its_answers():
    config = PRESETS["xor"].config().replace(pace=0, epochs=20)
    data = load_data(config)
    trainer = build_trainer(config, data)
    trainer.run()
    field = decision_field(trainer.network, rows=40, cols=40)
    rows, cols = field.pixel_of(data.test.x.astype(np.float64))
    said = (field.output[rows, cols] > 0.5).astype(int)
    assert np.mean(said == data.test.labels) > 0.95  # the field agrees with the labels
    assert field.hidden.shape == (8, 40, 40)
    with pytest.raises(ValueError, match="2 inputs"):
        decision_field(Network([3, 2]), 4, 4)


def test_the_extent_shows_every_point():
    assert toy_extent([np.array([[0.5, -1.0]])]) == TOY_EXTENT
    assert toy_extent([np.array([[1.4, 0.0]])]) == pytest.approx(1.5)


# --- weight images -------------------------------------------------------------------------------

def test_weight_images_of_the_first_layer():
    network = Network([784, 3, 10])
    images = weight_images(network)
    assert images.shape == (3, 28, 28)
    assert images[1, 2, 5] == pytest.approx(network.weights[0][1, 2 * 28 + 5])
    assert image_shape(784) == (28, 28) and image_shape(2) is None
    with pytest.raises(ValueError, match="not the pixels of an image"):
        weight_images(Network([2, 8, 2]))
