"""Training speed: the reference tape against torch.nn + torch.autograd on the same work.

Both train the same network (features -> hidden ReLU -> classes, softmax cross-entropy plus
lam * ||W1||^2) from the same initial weights on the same batches with plain gradient descent.
Each run is a fresh process, so that its peak memory is its own; the reference and torch
alternate, so that a busy machine slows both alike. The losses of the two are compared at the
end: a ratio is only worth printing when both did the same computation.

Run it alone with ``python -m graders.bench_training [--runs N] [--device cpu|cuda]``.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPLEMENTATIONS = ("reference", "torch")


@dataclass(frozen=True)
class Size:
    """One benchmarked network and its epoch."""

    features: int
    hidden: int
    classes: int
    batch: int
    batches: int
    """Batches in one epoch."""
    epochs: int
    """Epochs timed in one run, after one untimed warm-up epoch."""

    def label(self) -> str:
        return f"{self.features}-{self.hidden}-{self.classes}, batch {self.batch}"


SIZES = {
    "small": Size(features=64, hidden=128, classes=10, batch=64, batches=50, epochs=8),
    "large": Size(features=784, hidden=1024, classes=10, batch=256, batches=10, epochs=4),
}
STEP_SIZE = 0.05
LAM = 1e-4
SEED = 0


@dataclass
class Run:
    """What one process measured."""

    epoch_s: float
    """Median seconds of one epoch over the timed epochs."""
    peak_mb: float
    """Peak memory of training, in MiB, above what was in use before it."""
    final_loss: float
    """The mean loss of the last epoch: both implementations must agree on it."""


def problem(size: Size, device: str):
    """Seeded data, initial weights and batch order, the same for both implementations.

    Returns (x, labels, weights, batches): x is (features, m) with samples as columns.
    """
    import torch

    generator = torch.Generator().manual_seed(SEED)
    m = size.batch * size.batches
    x = torch.rand(size.features, m, generator=generator)
    labels = torch.randint(size.classes, (m,), generator=generator)
    # A little signal, so that the loss falls as it would on real data.
    x[labels % size.features, torch.arange(m)] += 1.0
    weights = {
        "W1": torch.randn(size.hidden, size.features, generator=generator)
        * (2 / size.features) ** 0.5,
        "b1": torch.zeros(size.hidden, 1),
        "W2": torch.randn(size.classes, size.hidden, generator=generator)
        * (2 / size.hidden) ** 0.5,
        "b2": torch.zeros(size.classes, 1),
    }
    batches = [torch.randperm(m, generator=generator).reshape(size.batches, size.batch)
               for _ in range(size.epochs + 1)]
    move = {name: value.to(device) for name, value in weights.items()}
    return x.to(device), labels.to(device), move, [b.to(device) for b in batches]


def reference_trainer(size: Size, device: str):
    """One epoch of the reference tape, as a function of the epoch's batch order."""
    import torch

    sys.path.insert(0, str(ROOT / "reference"))
    from layers import Input, Linear, ReLU, Regularization, Softmax, Sum
    from network import Network

    x_all, labels, weights, _ = problem(size, device)
    y_all = torch.zeros(size.classes, labels.numel(), device=device)
    y_all[labels, torch.arange(labels.numel(), device=device)] = 1.0

    x = Input((size.features, size.batch))
    y = Input((size.classes, size.batch))
    params = {name: Input(tuple(value.shape), train=True) for name, value in weights.items()}
    for name, value in weights.items():
        params[name].set(value)
    hidden = ReLU(Linear(x, params["W1"], params["b1"]))
    scores = Linear(hidden, params["W2"], params["b2"])
    loss = Softmax(scores, y)
    objective = Sum(loss, Regularization(params["W1"], LAM))
    net = Network()
    net.set_input(x)
    for layer in (y, *params.values(), hidden.inputs[0], hidden, scores, loss,
                  *objective.inputs[1:], objective):
        net.add(layer)
    net.set_output(objective)

    def epoch(order):
        total = 0.0
        for columns in order:
            y.set(y_all[:, columns])
            total += float(net.forward(x_all[:, columns]))
            net.backward()
            net.step(STEP_SIZE)
        return total / len(order)

    return epoch


def torch_trainer(size: Size, device: str):
    """One epoch of torch.nn with torch.autograd and torch.optim.SGD, samples as rows."""
    import torch
    from torch import nn

    x_all, labels, weights, _ = problem(size, device)
    rows = x_all.T.contiguous()
    model = nn.Sequential(nn.Linear(size.features, size.hidden), nn.ReLU(),
                          nn.Linear(size.hidden, size.classes)).to(device)
    with torch.no_grad():
        model[0].weight.copy_(weights["W1"])
        model[0].bias.copy_(weights["b1"].reshape(-1))
        model[2].weight.copy_(weights["W2"])
        model[2].bias.copy_(weights["b2"].reshape(-1))
    cross_entropy = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=STEP_SIZE)
    first = model[0].weight

    def epoch(order):
        total = 0.0
        for columns in order:
            optimizer.zero_grad(set_to_none=True)
            loss = cross_entropy(model(rows[columns]), labels[columns])
            loss = loss + LAM * (first * first).sum()
            loss.backward()
            optimizer.step()
            total += float(loss)
        return total / len(order)

    return epoch


def measure(implementation: str, size: Size, device: str) -> Run:
    """Train one warm-up epoch and ``size.epochs`` timed ones in this process."""
    import torch

    cuda = device == "cuda"
    trainer = (reference_trainer if implementation == "reference" else torch_trainer)(size, device)
    orders = problem(size, device)[3]

    trainer(orders[0])
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
    else:
        before = _resident_bytes()
    times, loss = [], 0.0
    for order in orders[1:]:
        started = time.perf_counter()
        loss = trainer(order)
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    if cuda:
        peak = torch.cuda.max_memory_allocated() - before
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    return Run(statistics.median(times), max(peak, 0) / 2**20, loss)


def _resident_bytes() -> int:
    """The resident memory of this process now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def run_child(implementation: str, size_name: str, device: str) -> Run:
    """``measure`` in a fresh process, so that each run's peak memory is its own."""
    done = subprocess.run(
        [sys.executable, "-m", "graders.bench_training", "--child", implementation, size_name,
         "--device", device], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {implementation} run at size {size_name} failed:\n"
                           f"{done.stderr[-2000:]}")
    return Run(**json.loads(done.stdout.strip().splitlines()[-1]))


def compare_sizes(runs: int, device: str, sizes: tuple[str, ...] = tuple(SIZES)
                  ) -> dict[str, dict[str, list[Run]]]:
    """``runs`` fresh runs of each implementation at each size, alternating."""
    results = {name: {impl: [] for impl in IMPLEMENTATIONS} for name in sizes}
    for name in sizes:
        for _ in range(runs):
            for implementation in IMPLEMENTATIONS:
                results[name][implementation].append(run_child(implementation, name, device))
    return results


def report(results: dict[str, dict[str, list[Run]]]) -> list[str]:
    """One block of lines per size: time per epoch, memory, their ratios, the loss check."""
    rows = []
    for name, by_impl in results.items():
        size = SIZES[name]
        rows.append(f"{name}: {size.label()}, {size.batches} batches per epoch")
        medians = {}
        for implementation, found in by_impl.items():
            epoch = [r.epoch_s * 1000 for r in found]
            peak = statistics.median(r.peak_mb for r in found)
            medians[implementation] = (statistics.median(epoch), peak)
            rows.append(f"  {implementation:<10} {medians[implementation][0]:8.2f} ms/epoch "
                        f"(min {min(epoch):.2f}, max {max(epoch):.2f}, n={len(epoch)})   "
                        f"peak {peak:7.1f} MiB")
        (ref_ms, ref_mb), (torch_ms, torch_mb) = medians["reference"], medians["torch"]
        memory = f"{ref_mb / torch_mb:.2f}x" if torch_mb > 0 else "n/a (torch peak 0)"
        rows.append(f"  reference / torch: time {ref_ms / torch_ms:.2f}x, memory {memory}")
        losses = [r.final_loss for found in by_impl.values() for r in found]
        spread = max(losses) - min(losses)
        agree = "agree" if spread <= 1e-3 * max(abs(v) for v in losses) else "DISAGREE"
        rows.append(f"  final loss {statistics.median(losses):.5f} in every run: {agree} "
                    f"(spread {spread:.1e})")
    return rows


def training_rows(runs: int, device: str = "cpu") -> list[str]:
    """The training benchmark's lines, for graders/bench.py."""
    return report(compare_sizes(runs, device))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.bench_training")
    parser.add_argument("--runs", type=int, default=5, help="fresh runs per measurement")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--size", choices=tuple(SIZES), action="append",
                        help="only this size (may be repeated; default: all)")
    parser.add_argument("--child", nargs=2, metavar=("IMPLEMENTATION", "SIZE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        implementation, size_name = args.child
        run = measure(implementation, SIZES[size_name], args.device)
        print(json.dumps(run.__dict__))
        return 0
    sizes = tuple(args.size or SIZES)
    for row in report(compare_sizes(args.runs, args.device, sizes)):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
