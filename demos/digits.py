"""Handwritten digits: an MLP with a softmax output learns scikit-learn's 8x8 digits.

1797 images of 8x8 pixels (scaled to [0, 1]) are split into a training set
and a held-out test set (20%). The MLP 64 -> hidden (relu) -> 10 gives ten
logits z; softmax(z) are the class probabilities, and the loss is their
cross-entropy, -log softmax(z)_target, one stable node per image. Training:
Adam on minibatches, the learning rate decaying linearly over the epochs,
a small L2 weight decay. Then the demo reports test accuracy, saves the model
as JSON, and draws a confusion matrix and the misclassified test digits.

    python demos/digits.py                 # train, save glassgrad-out/digits-model.json, draw pictures
    python demos/digits.py --predict       # reload the saved model and classify the test images
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import _common

import nn
from autograd import no_grad
from nn import data

CLASSES = 10
PIXELS = 64
MODEL_FILE = "digits-model.json"


def split(seed: int, samples: int | None = None, test_fraction: float = 0.2) -> tuple[list, list]:
    """The digits (the first ``samples`` of them, if given) shuffled with ``seed`` into (train, test)."""
    examples = data.digits()
    if samples is not None:
        examples = examples[:samples]
    return data.train_test_split(examples, test_fraction, rng=seed)


def build_model(hidden: int, seed: int) -> nn.MLP:
    """64 -> hidden (relu) -> 10 logits, He-initialized (suits relu)."""
    return nn.MLP(PIXELS, [hidden, CLASSES], activation="relu", output_activation="linear", init="he", rng=seed)


def hidden_size_of(path: Path) -> int:
    """The hidden layer's size in a saved model file: the number of first-layer neurons."""
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a glassgrad model file (not JSON: {error})") from None
    parameters = document.get("parameters", {}) if isinstance(document, dict) else {}
    count = sum(1 for key in parameters if key.startswith("layers.0.neurons.") and key.endswith(".b"))
    if count == 0:
        raise ValueError(f"{path} holds no first layer with biases; is it a model saved by demos/digits.py?")
    return count


def train(
    model: nn.MLP,
    train_set: list,
    test_set: list,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    weight_decay: float,
    seed: int,
    quiet: bool,
) -> list[dict[str, float]]:
    """Adam on minibatches, lr decaying linearly from ``lr`` (first epoch) to lr/50 (last); returns fit's history."""
    optimizer = nn.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)

    def factor(epoch: int) -> float:
        """Of the initial lr: 1 at the first epoch, 0.02 at the last."""
        progress = epoch / (epochs - 1) if epochs > 1 else 0.0
        return (1.0 - progress) + 0.02 * progress

    return nn.fit(
        model,
        nn.cross_entropy,
        train_set,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size,
        rng=seed,
        callbacks=[nn.LambdaLR(factor)],
        validation_data=test_set,
        progress=not quiet,
    )


@no_grad()
def predict(model: nn.MLP, images: Sequence[Sequence[float]]) -> list[int]:
    """The most likely digit for each image (argmax of the logits, which is argmax of the softmax)."""
    predictions = []
    for image in images:
        logits = [z.data for z in model(image)]
        predictions.append(max(range(CLASSES), key=logits.__getitem__))
    return predictions


def confusion_matrix(targets: Sequence[int], predictions: Sequence[int]) -> list[list[int]]:
    """counts[true][predicted]."""
    counts = [[0] * CLASSES for _ in range(CLASSES)]
    for target, predicted in zip(targets, predictions):
        counts[target][predicted] += 1
    return counts


def plot_confusion(counts: list[list[int]], accuracy: float, path: Path) -> Path:
    plt = _common.pyplot()
    figure, ax = plt.subplots(figsize=(5.2, 4.6))
    image = ax.imshow(counts, cmap="Blues")
    top = max(max(row) for row in counts) or 1
    for true_class, row in enumerate(counts):
        for predicted, count in enumerate(row):
            if count:
                color = "white" if count > top / 2 else "black"
                ax.text(predicted, true_class, str(count), ha="center", va="center", fontsize=8, color=color)
    ax.set_xticks(range(CLASSES))
    ax.set_yticks(range(CLASSES))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(f"digits test set: {accuracy:.1%} correct", fontsize=10)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _common.save_figure(figure, path)


def plot_misclassified(mistakes: list[tuple[list[float], int, int]], path: Path, limit: int = 24) -> Path:
    """The first ``limit`` misclassified test digits, each titled 'true -> predicted'."""
    plt = _common.pyplot()
    shown = mistakes[:limit]
    columns = 8
    rows = max(1, -(-len(shown) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.5 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (image, target, predicted) in zip(axes.flat, shown):
        ax.imshow([image[row * 8 : row * 8 + 8] for row in range(8)], cmap="gray_r", vmin=0.0, vmax=1.0)
        ax.set_title(f"{target} -> {predicted}", fontsize=9, color="tab:red")
    if not shown:
        axes.flat[0].text(0.0, 0.5, "no mistakes on the test set", fontsize=10)
    figure.suptitle(f"misclassified test digits (true -> predicted), {len(shown)} of {len(mistakes)}", fontsize=10)
    return _common.save_figure(figure, path)


def report_test(model: nn.MLP, test_set: list) -> tuple[float, list[int]]:
    predictions = predict(model, [x for x, _ in test_set])
    correct = sum(p == y for p, (_, y) in zip(predictions, test_set))
    return correct / len(test_set), predictions


def run_predict(args: argparse.Namespace, model_path: Path, test_set: list) -> int:
    if not model_path.is_file():
        print(f"no saved model at {model_path}: run `python demos/digits.py` first (or pass --model)")
        return 1
    model = build_model(hidden_size_of(model_path), args.seed)
    model.load(model_path)
    accuracy, predictions = report_test(model, test_set)
    print(f"loaded {model_path}: {model!r}".splitlines()[0])
    print(f"test accuracy {accuracy:.2%} ({round(accuracy * len(test_set))}/{len(test_set)}), no training")
    for index, ((_, target), predicted) in enumerate(zip(test_set, predictions)):
        if index >= 10:
            break
        mark = "" if predicted == target else "   <- wrong"
        print(f"test image {index:>3}: predicted {predicted}, true {target}{mark}")
    return 0


@dataclass
class DigitsRun:
    """What one training run produced: the numbers and the files, each with a one-line description."""

    train_size: int
    test_size: int
    accuracy: float
    seconds: float
    history: list[dict[str, float]]
    outputs: list[tuple[Path, str]] = field(default_factory=list)


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that shape training, shared with demos/tour.py."""
    parser.add_argument("--hidden", type=_common.positive_int, default=64, help="hidden layer size")
    parser.add_argument("--epochs", type=_common.positive_int, default=10, help="passes over the training set")
    parser.add_argument("--batch-size", type=_common.positive_int, default=16, help="images per Adam step")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's first learning rate")
    parser.add_argument("--weight-decay", type=float, default=1e-4, help="L2 weight decay added to each gradient")
    parser.add_argument("--samples", type=_common.positive_int, default=None, help="use only the first N images")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def train_and_report(args: argparse.Namespace, folder: Path, model_path: Path, *, verbose: bool = True) -> DigitsRun:
    """Train with the flags in ``args``, then save the model and draw the pictures into ``folder``."""
    started = time.perf_counter()
    train_set, test_set = split(args.seed, args.samples)
    model = build_model(args.hidden, args.seed)
    print(f"{len(train_set)} training images, {len(test_set)} test images; {model!r}".splitlines()[0])
    history = train(
        model,
        train_set,
        test_set,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=args.weight_decay,
        seed=args.seed,
        quiet=args.quiet,
    )
    if verbose:
        for record in history:
            print(
                f"epoch {int(record['epoch']):>2}  lr {record['lr']:.5f}  train loss {record['loss']:.4f}  "
                f"train acc {record['accuracy']:.2%}  test acc {record['val_accuracy']:.2%}  "
                f"({record['seconds']:.1f} s)"
            )
    accuracy, predictions = report_test(model, test_set)
    run = DigitsRun(len(train_set), len(test_set), accuracy, time.perf_counter() - started, history)
    print(f"test accuracy {accuracy:.2%} ({round(accuracy * len(test_set))}/{len(test_set)})")
    print(f"wall time {run.seconds:.1f} s")

    model.save(model_path)
    run.outputs.append((model_path, "the trained digits model as JSON; `python demos/digits.py --predict` reloads it"))
    counts = confusion_matrix([y for _, y in test_set], predictions)
    run.outputs.append((plot_confusion(counts, accuracy, folder / "digits-confusion.png"), "confusion matrix"))
    mistakes = [(x, y, p) for (x, y), p in zip(test_set, predictions) if p != y]
    run.outputs.append((plot_misclassified(mistakes, folder / "digits-misclassified.png"), "misclassified digits"))
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = _common.make_parser(__doc__.splitlines()[0])
    add_training_flags(parser)
    parser.add_argument("--model", type=Path, default=None, help=f"model file (default: OUT/{MODEL_FILE})")
    parser.add_argument(
        "--predict",
        action="store_true",
        help="reload the saved model and classify the test set (pass the --seed and --samples it was trained with)",
    )
    args = parser.parse_args(argv)
    folder = _common.output_folder(args.out)
    model_path = args.model if args.model is not None else folder / MODEL_FILE
    if args.samples is not None and args.samples < 5:
        parser.error("--samples needs at least 5 images (a training and a test set)")

    if args.predict:
        _, test_set = split(args.seed, args.samples)
        return run_predict(args, model_path, test_set)
    run = train_and_report(args, folder, model_path)
    for path, what in run.outputs:
        _common.wrote(path, what)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
