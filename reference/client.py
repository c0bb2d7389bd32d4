"""Training client: a two-layer classifier trained with the library (reference solution).

    python client.py                      # scikit-learn's bundled digits, no download
    python client.py --data FOLDER        # Fashion-MNIST, from its four IDX files in FOLDER

The network is 64 (or 784) inputs -> ``hidden`` ReLU units -> 10 scores, with
J = Softmax cross-entropy + Regularization(W1, lam), trained by gradient descent on
mini-batches. The data side (loading, one-hot labels, batches, accuracy) is the same as in
the student's template. Each epoch shows a progress bar; at the end the loss and accuracy
curves go to ``curves.png`` and the final numbers to ``metrics.json`` in ``--out``.
Runs are seeded: the same arguments give the same numbers.
"""

import argparse
import gzip
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy
import torch

# layers.py and network.py sit beside this file and are imported as the students' are.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from layers import Input, Linear, Regularization, ReLU, Softmax, Sum  # noqa: E402
from network import Network  # noqa: E402

CLASSES = 10

# The data side: the same in the student's template (tests/test_client.py checks it).

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


# The training side.


@dataclass
class Epoch:
    """The numbers of one epoch, measured at its end on the whole sets."""

    epoch: int
    train_loss: float
    """Cross-entropy on the whole training set (without the regularization)."""
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float
    """Time of the epoch's training steps, evaluation not included."""


class Classifier:
    """One tape of the classifier for a fixed number of columns, over shared parameters.

    An Input keeps the shape it was made with, so training (one batch) and evaluation (a
    whole set) use a tape each; tapes built on the same ``params`` share the weights.
    """

    def __init__(self, params: dict[str, Input], columns: int, lam: float):
        features, classes = params["W1"].output.shape[1], params["W2"].output.shape[0]
        self.x = Input((features, columns))
        self.y = Input((classes, columns))
        hidden = Linear(self.x, params["W1"], params["b1"])
        active = ReLU(hidden)
        scores = Linear(active, params["W2"], params["b2"])
        self.loss = Softmax(scores, self.y)
        penalty = Regularization(params["W1"], lam)
        objective = Sum(self.loss, penalty)

        self.net = Network()
        self.net.set_input(self.x)
        for layer in (self.y, *params.values(), hidden, active, scores, self.loss, penalty,
                      objective):
            self.net.add(layer)
        self.net.set_output(objective)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Set the data and compute J; returns J."""
        self.y.set(y)
        return float(self.net.forward(x))

    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """(cross-entropy, accuracy) on these columns."""
        self.forward(x, y)
        return float(self.loss.output), accuracy(self.loss.classifications, y)


def parameters(features: int, hidden: int, classes: int = CLASSES) -> dict[str, Input]:
    """Trainable W1 (hidden, features), b1, W2 (classes, hidden), b2, randomized."""
    shapes = {"W1": (hidden, features), "b1": (hidden, 1), "W2": (classes, hidden),
              "b2": (classes, 1)}
    params = {name: Input(shape, train=True) for name, shape in shapes.items()}
    for param in params.values():
        param.randomize()
    return params


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
    progress=None,
) -> list[Epoch]:
    """Train a features -> ``hidden`` -> 10 classifier; returns the numbers of every epoch.

    J = Softmax(Linear(ReLU(Linear(x, W1, b1)), W2, b2), y) + Regularization(W1, lam),
    minimised by gradient descent on W1, b1, W2 and b2 over mini-batches. The step size
    falls linearly over the epochs, from ``step_size`` in the first to ``step_size / epochs``
    in the last. ``progress``, when given, is a rich Progress that gets one bar per epoch.
    """
    torch.manual_seed(seed)
    params = parameters(x_train.shape[0], hidden, y_train.shape[0])
    model = Classifier(params, batch_size, lam)
    on_train = Classifier(params, x_train.shape[1], lam)
    on_test = Classifier(params, x_test.shape[1], lam)
    generator = torch.Generator().manual_seed(seed)
    steps = x_train.shape[1] // batch_size

    history = []
    for epoch in range(1, epochs + 1):
        bar = progress.add_task(f"epoch {epoch}/{epochs}", total=steps, loss=float("nan")) \
            if progress is not None else None
        step = step_size * (epochs - epoch + 1) / epochs
        started = time.perf_counter()
        for x, y in batches(x_train, y_train, batch_size, generator):
            J = model.forward(x, y)
            model.net.backward()
            model.net.step(step)
            if bar is not None:
                progress.update(bar, advance=1, loss=J)
        seconds = time.perf_counter() - started

        train_loss, train_accuracy = on_train.evaluate(x_train, y_train)
        test_loss, test_accuracy = on_test.evaluate(x_test, y_test)
        history.append(Epoch(epoch, train_loss, train_accuracy, test_loss, test_accuracy,
                             seconds))
        if bar is not None:
            progress.update(bar, description=f"epoch {epoch}/{epochs}  test accuracy "
                                             f"{test_accuracy:.1%}")
    return history


def plot(history: list[Epoch], path: Path, title: str) -> None:
    """Write the loss and accuracy curves of ``history`` as a PNG."""
    from matplotlib.figure import Figure

    epochs = [e.epoch for e in history]
    figure = Figure(figsize=(10, 4), layout="constrained")
    loss, correct = figure.subplots(1, 2)
    loss.plot(epochs, [e.train_loss for e in history], label="train")
    loss.plot(epochs, [e.test_loss for e in history], label="test")
    loss.set(xlabel="epoch", ylabel="cross-entropy", title="Loss")
    correct.plot(epochs, [100 * e.train_accuracy for e in history], label="train")
    correct.plot(epochs, [100 * e.test_accuracy for e in history], label="test")
    correct.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for axes in (loss, correct):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle(title)
    figure.savefig(path, dpi=120)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python client.py", description="Train a two-layer classifier with the library.")
    parser.add_argument("--data", type=Path,
                        help="a folder with the four Fashion-MNIST IDX files (default: "
                             "scikit-learn's digits)")
    parser.add_argument("--hidden", type=int, default=64, help="hidden units (default 64)")
    parser.add_argument("--batch-size", type=int, default=16, help="default 16")
    parser.add_argument("--epochs", type=int, default=30, help="default 30")
    parser.add_argument("--step-size", type=float, default=0.2,
                        help="the first epoch's step size; it falls linearly (default 0.2)")
    parser.add_argument("--lam", type=float, default=1e-4,
                        help="regularization strength on W1 (default 1e-4)")
    parser.add_argument("--seed", type=int, default=0, help="default 0")
    parser.add_argument("--out", type=Path, default=Path("training-output"),
                        help="folder for curves.png and metrics.json (default: "
                             "training-output)")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads of torch (default 1: the matrices are small, and on "
                             "a busy machine a second thread mostly waits)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.progress import TimeElapsedColumn

    args = parse(sys.argv[1:] if argv is None else argv)
    torch.set_num_threads(args.threads)
    console = Console(stderr=True, soft_wrap=True)
    try:
        x_train, y_train, x_test, y_test = load_data(args.data, seed=args.seed)
    except (OSError, ValueError) as error:
        console.print(f"Cannot load the data: {error}", markup=False, highlight=False)
        return 2
    name = "Fashion-MNIST" if args.data else "digits"
    console.print(f"{name}: train x {tuple(x_train.shape)}, test x {tuple(x_test.shape)}",
                  highlight=False)

    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=args.quiet) as progress:
        history = train(x_train, y_train, x_test, y_test, hidden=args.hidden,
                        batch_size=args.batch_size, epochs=args.epochs,
                        step_size=args.step_size, lam=args.lam, seed=args.seed,
                        progress=progress)
    seconds = time.perf_counter() - started

    args.out.mkdir(parents=True, exist_ok=True)
    network = f"{x_train.shape[0]}-{args.hidden}-{y_train.shape[0]}"
    plot(history, args.out / "curves.png", f"{name}, {network}, batch {args.batch_size}")
    final = history[-1]
    metrics = {
        "data": name, "train_samples": x_train.shape[1], "test_samples": x_test.shape[1],
        "network": network, "hidden": args.hidden, "batch_size": args.batch_size,
        "epochs": args.epochs, "step_size": args.step_size, "lam": args.lam, "seed": args.seed,
        "train_loss": final.train_loss, "train_accuracy": final.train_accuracy,
        "test_loss": final.test_loss, "test_accuracy": final.test_accuracy,
        "seconds": seconds, "torch": torch.__version__,
        "history": [asdict(e) for e in history],
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    console.print(f"test accuracy {final.test_accuracy:.2%} after {args.epochs} epochs "
                  f"({seconds:.1f} s); wrote {args.out / 'curves.png'} and "
                  f"{args.out / 'metrics.json'}", highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
