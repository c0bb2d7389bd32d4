"""Training client: a two-layer classifier for images, built from your library.

    python client.py                      # scikit-learn's bundled digits, no download
    python client.py --data FOLDER        # Fashion-MNIST, from its four IDX files in FOLDER

The data side is written for you: scikit-learn's bundled digits (8 x 8 images, no download)
with a seeded train/test split, or Fashion-MNIST (28 x 28 images) read from its IDX files;
pixels scaled to [0, 1], one-hot labels, 10 classes. Every tensor is float32 in the library's
layout, features x batch: each sample is a column.

You write ``train``. Run ``python client.py`` once your layers and Network pass their tests.
"""

import argparse
import gzip
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy
import torch

CLASSES = 10

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
FASHION_FILES = {
    "train images": "train-images-idx3-ubyte",
    "train labels": "train-labels-idx1-ubyte",
    "test images": "t10k-images-idx3-ubyte",
    "test labels": "t10k-labels-idx1-ubyte",
}


def one_hot(labels: torch.Tensor, classes: int = CLASSES) -> torch.Tensor:
    """Turn m integer labels into a float32 (classes, m) matrix with one 1 in each column."""
    columns = torch.zeros(classes, labels.numel(), dtype=torch.float32)
    columns[labels, torch.arange(labels.numel())] = 1.0
    return columns


def split(
    pixels: torch.Tensor, labels: torch.Tensor, seed: int, test_fraction: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle (m, features) samples with ``seed`` and hold out ``test_fraction`` of them.

    Returns (x_train, y_train, x_test, y_test) with samples as columns and one-hot labels.
    """
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(labels.numel(), generator=generator)
    n_test = round(test_fraction * labels.numel())
    test, train = order[:n_test], order[n_test:]

    # Samples become columns: (m, features) -> (features, m).
    return (
        pixels[train].T.contiguous(),
        one_hot(labels[train]),
        pixels[test].T.contiguous(),
        one_hot(labels[test]),
    )


def load_digits_data(
    seed: int = 0, test_fraction: float = 0.2
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (x_train, y_train, x_test, y_test) of scikit-learn's digits, split with ``seed``.

    x has shape (64, m): one column of pixel values in [0, 1] per 8 x 8 image.
    y has shape (10, m): the one-hot label of each column of x.
    The same seed always gives the same split; ``test_fraction`` of the samples are held out.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = torch.tensor(digits.data, dtype=torch.float32) / 16.0  # values 0..16 -> [0, 1]
    labels = torch.tensor(digits.target, dtype=torch.long)
    return split(pixels, labels, seed, test_fraction)


def read_idx(path: str | Path) -> torch.Tensor:
    """Read an IDX file (the format of MNIST and Fashion-MNIST), gzipped or not.

    The file starts with two zero bytes, a type code, the number of dimensions and each
    dimension as a big-endian 32-bit integer; the values follow, big-endian, row-major.
    Returns a tensor of that shape: uint8 for unsigned bytes, else the matching signed or
    floating type.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: gzip data is damaged ({error}); download it again") \
                from None

    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES:
        raise ValueError(
            f"{path}: not an IDX file (it starts with bytes {raw[:4].hex(' ') or 'none'}); "
            f"an IDX file starts with 00 00, a type code (08 for unsigned bytes) and the "
            f"number of dimensions"
        )
    dtype, ndim = numpy.dtype(IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: the header announces {ndim} dimensions but the file ends "
                         f"after {len(raw)} bytes; the file is cut short, download it again")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected = header + dtype.itemsize * int(numpy.prod(shape, dtype=numpy.int64))
    if len(raw) != expected:
        raise ValueError(f"{path}: shape {shape} needs {expected} bytes but the file has "
                         f"{len(raw)}; the file is cut short or damaged, download it again")

    values = numpy.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return torch.from_numpy(values.astype(dtype.newbyteorder("="), copy=True))


def find_idx(folder: Path, stem: str) -> Path:
    """The file ``stem`` or ``stem.gz`` in ``folder``; FileNotFoundError naming both."""
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"{folder}: no {stem} nor {stem}.gz; put the four Fashion-MNIST IDX files "
        f"({', '.join(FASHION_FILES.values())}, gzipped or not) in this folder"
    )


def load_fashion_mnist(
    folder: str | Path,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (x_train, y_train, x_test, y_test) of Fashion-MNIST from its IDX files.

    x has shape (784, m): one column of pixel values in [0, 1] per 28 x 28 image.
    y has shape (10, m): the one-hot label of each column of x.
    The dataset's own split is kept: 60000 training and 10000 test images.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder; give the folder that holds the "
                                f"Fashion-MNIST IDX files")
    data = {what: read_idx(find_idx(folder, stem)) for what, stem in FASHION_FILES.items()}

    tensors = []
    for part in ("train", "test"):
        images, labels = data[f"{part} images"], data[f"{part} labels"]
        if images.dim() != 3 or labels.dim() != 1 or images.shape[0] != labels.shape[0]:
            raise ValueError(
                f"{folder}: {part} images have shape {tuple(images.shape)} and labels "
                f"{tuple(labels.shape)}; expected (m, rows, columns) images and m labels"
            )
        if int(labels.max()) >= CLASSES:
            raise ValueError(f"{folder}: a {part} label is {int(labels.max())}; labels must be "
                             f"0..{CLASSES - 1}")
        pixels = images.reshape(images.shape[0], -1).to(torch.float32) / 255.0
        tensors += [pixels.T.contiguous(), one_hot(labels.long())]
    return tensors[0], tensors[1], tensors[2], tensors[3]


def load_data(
    folder: str | Path | None = None, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Fashion-MNIST from ``folder`` when one is given, else the digits split with ``seed``."""
    if folder is None:
        return load_digits_data(seed=seed)
    return load_fashion_mnist(folder)


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
    batch_size: int = 16,
    epochs: int = 30,
    step_size: float = 0.2,
    lam: float = 1e-4,
    seed: int = 0,
) -> None:
    """Train a features -> ``hidden`` -> 10 classifier with your library and report its progress.

    J = Softmax(Linear(ReLU(Linear(x, W1, b1)), W2, b2), y) + Regularization(W1, lam),
    minimised by gradient descent on W1, b1, W2 and b2 over mini-batches. The step size
    falls linearly over the epochs, from ``step_size`` in the first to ``step_size / epochs``
    in the last. With these defaults the digits reach about 97 % test accuracy.
    """
    raise NotImplementedError(
        "train: call torch.manual_seed(seed), build Inputs x, y (data) and trainable W1, b1, "
        "W2, b2 (randomize them), chain Linear -> ReLU -> Linear -> Softmax plus "
        "Regularization(W1, lam) into a Sum, put them on a Network in order, then for each "
        "epoch loop over batches(...) doing forward, backward and step, and print the "
        "epoch's mean loss and the train and test accuracy (use accuracy() on the Softmax's "
        "classifications; an Input keeps its shape, so evaluate a whole set with layers "
        "built on Inputs of that set's size that share W1, b1, W2 and b2)"
    )


def main(argv: list[str] | None = None) -> None:
    """Load the data, print the shapes, and train."""
    parser = argparse.ArgumentParser(prog="python client.py")
    parser.add_argument("--data", type=Path,
                        help="a folder with the four Fashion-MNIST IDX files (default: "
                             "scikit-learn's digits)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    x_train, y_train, x_test, y_test = load_data(args.data, seed=0)
    print(f"train: x {tuple(x_train.shape)}, y {tuple(y_train.shape)}")
    print(f"test:  x {tuple(x_test.shape)}, y {tuple(y_test.shape)}")

    train(x_train, y_train, x_test, y_test)


if __name__ == "__main__":
    main()
