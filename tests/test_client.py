"""The training clients: the reference trains on real data, the template leaves train to do."""

import gzip
import importlib.util
import inspect
import json
import subprocess
import sys

import numpy
import pytest
import torch

from support import ROOT
from test_idx import idx_bytes

DATA_SIDE = ("one_hot", "split", "load_digits_data", "read_idx", "find_idx",
             "load_fashion_mnist", "load_data", "batches", "accuracy")
CONSTANTS = ("CLASSES", "IDX_TYPES", "FASHION_FILES")


def load(folder: str):
    spec = importlib.util.spec_from_file_location(f"{folder}_client", ROOT / folder / "client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference, template = load("reference"), load("student_template")


def run_client(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "reference" / "client.py"), "--quiet",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def fashion_folder(folder, train=12, test=6, zipped=True):
    """Four IDX files shaped like Fashion-MNIST's, with ``train`` and ``test`` images."""
    rng = numpy.random.default_rng(0)
    for stem, count in (("train", train), ("t10k", test)):
        images = rng.integers(0, 256, size=(count, 28, 28), dtype=numpy.uint8)
        labels = (numpy.arange(count) % 10).astype(numpy.uint8)
        for kind, array in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            data = idx_bytes(array)
            name = f"{stem}-{kind}" + (".gz" if zipped else "")
            (folder / name).write_bytes(gzip.compress(data) if zipped else data)
    return folder


@pytest.mark.parametrize("name", DATA_SIDE)
def test_the_data_side_is_the_same_in_the_reference_and_the_template(name):
    assert inspect.getsource(getattr(template, name)) == \
        inspect.getsource(getattr(reference, name))


def test_the_constants_of_the_data_side_agree():
    for name in CONSTANTS:
        assert getattr(template, name) == getattr(reference, name), name


def test_the_template_leaves_train_to_the_student_and_says_what_to_write():
    data = [torch.zeros(64, 16), torch.zeros(10, 16), torch.zeros(64, 4), torch.zeros(10, 4)]
    with pytest.raises(NotImplementedError, match=r"^train: .*Network.*batches"):
        template.train(*data)
    params = inspect.signature(reference.train).parameters
    for name, param in inspect.signature(template.train).parameters.items():
        assert params[name].default == param.default, name


def test_digits_are_columns_with_one_hot_labels_and_a_seeded_split():
    x_train, y_train, x_test, y_test = reference.load_data(seed=0)
    assert x_train.shape == (64, 1438) and y_train.shape == (10, 1438)
    assert x_test.shape == (64, 359) and y_test.shape == (10, 359)
    assert 0 <= float(x_train.min()) and float(x_train.max()) <= 1
    assert torch.equal(y_train.sum(dim=0), torch.ones(1438))
    assert torch.equal(reference.load_data(seed=0)[2], x_test)
    assert not torch.equal(reference.load_data(seed=1)[2], x_test)


def test_batches_are_shuffled_full_and_leave_the_rest_out():
    x = torch.arange(10.0).reshape(1, 10)
    got = list(reference.batches(x, x, 3, torch.Generator().manual_seed(0)))
    assert [tuple(b.shape) for b, _ in got] == [(1, 3)] * 3
    seen = torch.cat([b for b, _ in got], dim=1).reshape(-1).tolist()
    assert len(set(seen)) == 9 and seen != sorted(seen)
    with pytest.raises(ValueError, match="batch_size is 11 but there are only 10 samples"):
        next(reference.batches(x, x, 11, torch.Generator()))


def test_fashion_mnist_is_read_from_its_idx_files(tmp_path):
    x_train, y_train, x_test, y_test = reference.load_data(fashion_folder(tmp_path))
    assert x_train.shape == (784, 12) and y_train.shape == (10, 12)
    assert x_test.shape == (784, 6) and y_test.shape == (10, 6)
    assert float(x_train.max()) <= 1 and y_train.argmax(dim=0).tolist()[:3] == [0, 1, 2]


def test_a_missing_fashion_file_is_named_with_the_fix(tmp_path):
    fashion_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"no t10k-labels-idx1-ubyte nor "
                                                r"t10k-labels-idx1-ubyte.gz; put the four"):
        reference.load_data(tmp_path)


def test_the_client_reports_unreadable_data_and_exits_2(tmp_path):
    done = run_client("--data", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "nowhere: no such folder" in done.stderr


def test_the_reference_client_reaches_97_percent_on_digits_and_writes_its_plot(tmp_path):
    done = run_client("--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["data"] == "digits" and metrics["epochs"] == len(metrics["history"]) == 30
    assert metrics["test_accuracy"] >= 0.97, metrics["test_accuracy"]
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_reference_client_is_repeatable(tmp_path):
    runs = []
    for name in ("first", "second"):
        done = run_client("--epochs", "3", "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        metrics = json.loads((tmp_path / name / "metrics.json").read_text())
        metrics.pop("seconds")
        for epoch in metrics["history"]:
            epoch.pop("seconds")
        runs.append(metrics)
    assert runs[0] == runs[1]


def test_the_reference_client_trains_on_a_fashion_folder(tmp_path):
    (tmp_path / "fashion").mkdir()
    folder = fashion_folder(tmp_path / "fashion", train=40, test=10, zipped=False)
    done = run_client("--data", str(folder), "--epochs", "2", "--batch-size", "8",
                      "--hidden", "16", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["data"] == "Fashion-MNIST" and metrics["network"] == "784-16-10"
    assert metrics["train_samples"] == 40 and metrics["test_samples"] == 10
