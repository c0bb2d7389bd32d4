"""Training client: a two-layer classifier for handwritten digits, built from your library.

The data side is written for you: scikit-learn's bundled digits (8 x 8 images, 10 classes,
no download), pixels scaled to [0, 1], a seeded train/test split, one-hot labels. Every
tensor is float32 in the library's layout, features x batch: each sample is a column.

You write ``train``. Run ``python client.py`` once your layers and Network pass their tests.
"""

from collections.abc import Iterator

import torch
from sklearn.datasets import load_digits

CLASSES = 10


def one_hot(labels: torch.Tensor, classes: int = CLASSES) -> torch.Tensor:
    """Turn m integer labels into a float32 (classes, m) matrix with one 1 in each column."""
    columns = torch.zeros(classes, labels.numel(), dtype=torch.float32)
    columns[labels, torch.arange(labels.numel())] = 1.0
    return columns


def load_digits_data(
    seed: int = 0, test_fraction: float = 0.2
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (x_train, y_train, x_test, y_test), split at random with ``seed``.

    x has shape (64, m): one column of pixel values in [0, 1] per image.
    y has shape (10, m): the one-hot label of each column of x.
    The same seed always gives the same split; ``test_fraction`` of the samples are held out.
    """
    digits = load_digits()
    pixels = torch.tensor(digits.data, dtype=torch.float32) / 16.0  # values 0..16 -> [0, 1]
    labels = torch.tensor(digits.target, dtype=torch.long)

    # Shuffle the samples with our own generator, then cut off the test part.
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(labels.numel(), generator=generator)
    n_test = round(test_fraction * labels.numel())
    test, train = order[:n_test], order[n_test:]

    # Samples become columns: (m, 64) -> (64, m).
    return (
        pixels[train].T.contiguous(),
        one_hot(labels[train]),
        pixels[test].T.contiguous(),
        one_hot(labels[test]),
    )


def batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int, generator: torch.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield (x_batch, y_batch) pairs of exactly ``batch_size`` columns, in a shuffled order.

    One pass over the data is one epoch. The columns are shuffled with ``generator``; the
    last m % batch_size columns are left out, because an Input keeps the shape it was made
    with. Call it again for the next epoch (it reshuffles).
    """
    if batch_size > x.shape[1]:
        raise ValueError(
            f"batches: batch_size is {batch_size} but there are only {x.shape[1]} samples; "
            f"choose a batch_size of at most {x.shape[1]}"
        )

    order = torch.randperm(x.shape[1], generator=generator)
    for start in range(0, x.shape[1] - batch_size + 1, batch_size):
        columns = order[start:start + batch_size]
        yield x[:, columns], y[:, columns]


def accuracy(classifications: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of columns whose largest entry is in the row of the 1 in ``y``'s column."""
    return (classifications.argmax(dim=0) == y.argmax(dim=0)).float().mean().item()


def train(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    hidden: int = 64,
    batch_size: int = 32,
    epochs: int = 20,
    step_size: float = 0.1,
    lam: float = 1e-4,
    seed: int = 0,
) -> None:
    """Train a 64 -> ``hidden`` -> 10 classifier with your library and report its progress.

    J = Softmax(Linear(ReLU(Linear(x, W1, b1)), W2, b2), y) + Regularization(W1, lam),
    minimised by gradient descent on W1, b1, W2 and b2 over mini-batches.
    """
    raise NotImplementedError(
        "train: build Inputs x, y (data) and trainable W1, b1, W2, b2 (randomize them), chain "
        "Linear -> ReLU -> Linear -> Softmax plus Regularization(W1, lam) into a Sum, put them "
        "on a Network in order, then for each epoch loop over batches(...) doing forward, "
        "backward and step(step_size), and print the epoch's mean loss and the train and test "
        "accuracy (use accuracy() on the Softmax's classifications)"
    )


def main() -> None:
    """Load the digits, print the shapes, and train."""
    x_train, y_train, x_test, y_test = load_digits_data(seed=0)
    print(f"train: x {tuple(x_train.shape)}, y {tuple(y_train.shape)}")
    print(f"test:  x {tuple(x_test.shape)}, y {tuple(y_test.shape)}")

    train(x_train, y_train, x_test, y_test)


if __name__ == "__main__":
    main()
