"""Training speed: the reference tape against torch.nn + torch.autograd on the same work.

All of them train the same network (features -> hidden ReLU -> classes, softmax
cross-entropy plus lam * ||W1||^2) from the same initial weights on the same batches with
plain gradient descent, and must end at the same loss. Each run is a fresh process, so that
its peak memory is its own; the implementations take turns, so that a busy machine slows
them alike. On the CPU every run uses the same number of threads (``--threads``, default 1:
on a shared machine a second thread mostly measures the neighbours).

The tape computes dJ/d input for every input, the data included (the lab's contract); plain
torch.nn does not compute the data's grad. "torch+dx" is torch.nn asked for it too: the
same arithmetic as the tape.

Run it alone with ``python -m graders.bench_training [--runs N] [--device cpu|cuda]``.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPLEMENTATIONS = ("reference", "torch", "torch+dx")
HEADING = ("Training: the reference tape vs torch.nn + torch.autograd, on {device} (goal: "
           "reference/torch <= 0.9x small, <= 1.05x large)")


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
    """Median wall-clock seconds of one epoch over the timed epochs."""
    epoch_cpu_s: float
    """Median CPU seconds of the process for one epoch: what a busy machine disturbs less."""
    peak_mib: float
    """Peak memory of training, above what was in use before it (see worker's Memory)."""
    final_loss: float
    """The mean J of the last epoch: every implementation must reach the same."""


def problem(size: Size, device: str):
    """Seeded data, initial weights and batch orders, the same for every implementation.

    Returns (x, labels, weights, orders): x is (features, m) with samples as columns, and
    each order is an epoch's batches as rows of column indices.
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
    orders = [torch.randperm(m, generator=generator).reshape(size.batches, size.batch)
              for _ in range(size.epochs + 1)]
    return (x.to(device), labels.to(device),
            {name: value.to(device) for name, value in weights.items()},
            [order.to(device) for order in orders])


def reference_trainer(size: Size, device: str):
    """(batches, epoch) of the reference tape: an epoch's batches cut from its order, and
    one epoch of training on them, which returns its mean J."""
    import torch

    sys.path.insert(0, str(ROOT / "reference"))
    from layers import Input, Linear, Regularization, ReLU, Softmax, Sum
    from network import Network

    x_all, labels, weights, _ = problem(size, device)
    y_all = torch.zeros(size.classes, labels.numel(), device=device)
    y_all[labels, torch.arange(labels.numel(), device=device)] = 1.0

    x = Input((size.features, size.batch))
    y = Input((size.classes, size.batch))
    params = {name: Input(tuple(value.shape), train=True) for name, value in weights.items()}
    for name, value in weights.items():
        params[name].set(value)
    hidden = Linear(x, params["W1"], params["b1"])
    active = ReLU(hidden)
    scores = Linear(active, params["W2"], params["b2"])
    loss = Softmax(scores, y)
    penalty = Regularization(params["W1"], LAM)
    objective = Sum(loss, penalty)
    net = Network()
    net.set_input(x)
    for layer in (y, *params.values(), hidden, active, scores, loss, penalty, objective):
        net.add(layer)
    net.set_output(objective)

    def batches(order):
        return [(x_all[:, columns], y_all[:, columns]) for columns in order]

    def epoch(batches):
        total = 0.0
        for x_batch, y_batch in batches:
            y.set(y_batch)
            total += float(net.forward(x_batch))
            net.backward()
            net.step(STEP_SIZE)
        return total / len(batches)

    return batches, epoch


def torch_trainer(size: Size, device: str, data_grad: bool = False):
    """(batches, epoch) of torch.nn with torch.autograd and torch.optim.SGD, samples as rows.

    With ``data_grad`` the batch asks for its grad too, as the tape computes it.
    """
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

    def batches(order):
        return [(rows[columns], labels[columns]) for columns in order]

    def epoch(batches):
        total = 0.0
        for x_batch, label_batch in batches:
            optimizer.zero_grad(set_to_none=True)
            # A fresh view each step, so that the data's grad goes with it.
            x_batch = x_batch.detach().requires_grad_(data_grad)
            loss = cross_entropy(model(x_batch), label_batch) + LAM * (first * first).sum()
            loss.backward()
            optimizer.step()
            total += loss.item()
        return total / len(batches)

    return batches, epoch


def measure(implementation: str, size: Size, device: str) -> Run:
    """Train one warm-up epoch and ``size.epochs`` timed ones in this process.

    The batches are cut before the clock starts, each in its library's layout (columns for
    the tape, rows for torch.nn), so that only training is timed.
    """
    import torch

    from .worker.training import Memory

    if implementation == "reference":
        batches, trainer = reference_trainer(size, device)
    else:
        batches, trainer = torch_trainer(size, device, implementation == "torch+dx")
    epochs = [batches(order) for order in problem(size, device)[3]]
    cuda = device == "cuda"

    memory = Memory(device)
    trainer(epochs[0])
    times, cpu_times, loss = [], [], 0.0
    for epoch in epochs[1:]:
        started, cpu = time.perf_counter(), time.process_time()
        loss = trainer(epoch)
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
    return Run(statistics.median(times), statistics.median(cpu_times), memory.peak_mib(), loss)


def run_child(implementation: str, size_name: str, device: str, threads: int) -> Run:
    """``measure`` in a fresh process, so that each run's peak memory is its own."""
    done = subprocess.run(
        [sys.executable, "-m", "graders.bench_training", "--child", implementation, size_name,
         "--device", device, "--threads", str(threads)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {implementation} run at size {size_name} failed:\n"
                           f"{done.stderr[-2000:]}")
    return Run(**json.loads(done.stdout.strip().splitlines()[-1]))


def compare_sizes(runs: int, device: str, threads: int, sizes: tuple[str, ...] = tuple(SIZES)
                  ) -> dict[str, dict[str, list[Run]]]:
    """``runs`` fresh runs of each implementation at each size, taking turns."""
    results = {name: {impl: [] for impl in IMPLEMENTATIONS} for name in sizes}
    for name in sizes:
        for _ in range(runs):
            for implementation in IMPLEMENTATIONS:
                results[name][implementation].append(
                    run_child(implementation, name, device, threads))
    return results


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def report(results: dict[str, dict[str, list[Run]]]) -> list[str]:
    """One block of lines per size: time per epoch, memory, their ratios, the loss check."""
    rows = []
    for name, by_impl in results.items():
        size = SIZES[name]
        rows.append(f"{name}: {size.label()}, {size.batches} batches per epoch")
        medians = {}
        for implementation, found in by_impl.items():
            wall = [r.epoch_s * 1000 for r in found]
            cpu = [r.epoch_cpu_s * 1000 for r in found]
            peaks = [r.peak_mib for r in found]
            medians[implementation] = [statistics.median(v) for v in (wall, cpu, peaks)]
            rows.append(f"  {implementation:<9} {medians[implementation][0]:8.2f} ms/epoch "
                        f"(min {min(wall):.2f}, max {max(wall):.2f}, n={len(wall)}), CPU "
                        f"{medians[implementation][1]:.2f} ms   peak "
                        f"{medians[implementation][2]:.2f} MiB (min {min(peaks):.2f}, max "
                        f"{max(peaks):.2f})")
        ms, cpu_ms, mib = medians["reference"]
        for other in IMPLEMENTATIONS[1:]:
            theirs = medians[other]
            rows.append(f"  reference / {other:<9} time {_ratio(ms, theirs[0])} (CPU "
                        f"{_ratio(cpu_ms, theirs[1])}), peak memory {_ratio(mib, theirs[2])}")
        losses = [r.final_loss for found in by_impl.values() for r in found]
        spread = max(losses) - min(losses)
        agree = "the same" if spread <= 1e-4 * max(abs(v) for v in losses) else "DIFFERENT"
        rows.append(f"  last epoch's mean J: {statistics.median(losses):.5f} in every run, "
                    f"{agree} (spread {spread:.1e})")
    return rows


def training_rows(runs: int, device: str = "cpu", threads: int = 1,
                  sizes: tuple[str, ...] = tuple(SIZES)) -> list[str]:
    """The training benchmark's lines (after HEADING), as graders/bench.py prints them."""
    setting = f"{runs} fresh runs of each, medians" + \
        (f"; {threads} CPU thread(s) per run" if device == "cpu" else "")
    return [setting] + report(compare_sizes(runs, device, threads, sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.bench_training")
    parser.add_argument("--runs", type=int, default=5, help="fresh runs per measurement")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch's CPU threads (default 1)")
    parser.add_argument("--size", choices=tuple(SIZES), action="append",
                        help="only this size (may be repeated; default: all)")
    parser.add_argument("--child", nargs=2, metavar=("IMPLEMENTATION", "SIZE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import torch

        torch.set_num_threads(args.threads)
        implementation, size_name = args.child
        print(json.dumps(asdict(measure(implementation, SIZES[size_name], args.device))))
        return 0
    print(HEADING.format(device=args.device))
    for row in training_rows(args.runs, args.device, args.threads, tuple(args.size or SIZES)):
        print("  " + row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
