"""The worker: what the student's code can reach, and how its failures are reported."""

import textwrap
from pathlib import Path

import pytest

from support import ROOT
from graders.sandbox import Limits, Worker, WorkerError, bubblewrap

needs_bwrap = pytest.mark.skipif(bubblewrap() is None,
                                 reason="bubblewrap is not installed on this machine")


def submission(tmp_path, source):
    (tmp_path / "layers.py").write_text(textwrap.dedent(source))
    return tmp_path


def load(tmp_path, source, sandbox=None, limits=None):
    worker = Worker(submission(tmp_path, source), limits or Limits(call_s=5), sandbox=sandbox)
    worker.start()
    return worker, worker.request({"op": "load", "modules": ["layers"]})


PROBE = f"""
    import os, socket
    def visible(path):
        try:
            open(path).close()
            return True
        except OSError:
            return False
    print("FIXTURES", visible({str(ROOT / "fixtures" / "linear.json")!r}))
    print("REFERENCE", visible({str(ROOT / "reference" / "layers.py")!r}))
    print("GRADERS", visible({str(ROOT / "graders" / "session.py")!r}))
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
        print("NETWORK", True)
    except OSError:
        print("NETWORK", False)
    for target in ({str(ROOT / "escaped.txt")!r}, "/tmp/escaped.txt", "/escaped.txt"):
        try:
            open(target, "w").write("x")
        except OSError:
            pass
"""


@needs_bwrap
def test_sandbox_hides_graders_fixtures_reference_and_network(tmp_path):
    worker, answer = load(tmp_path, PROBE, sandbox=True)
    worker.close()
    assert answer["load"]["errors"] == {}
    printed = worker.printed()
    for line in ("FIXTURES False", "REFERENCE False", "GRADERS False", "NETWORK False"):
        assert line in printed
    for outside in (ROOT / "escaped.txt", Path("/tmp/escaped.txt"), Path("/escaped.txt")):
        assert not outside.exists()


def test_without_bubblewrap_the_worker_still_runs_apart(tmp_path):
    worker, answer = load(tmp_path, "import os\nPID = os.getpid()\nprint('child', PID)\n",
                          sandbox=False)
    worker.close()
    assert answer["load"]["modules"] == ["layers"]
    assert "child" in worker.printed()


@pytest.mark.parametrize("sandbox", [pytest.param(True, marks=needs_bwrap), False])
def test_an_endless_loop_times_out(tmp_path, sandbox):
    source = """
        class Input:
            def __init__(self, output_shape, train=False):
                while True:
                    pass
    """
    worker, _ = load(tmp_path, source, sandbox=sandbox, limits=Limits(call_s=2))
    case = {"name": "c", "stage": "forward",
            "layers": [{"name": "x", "type": "Input", "value": [[1.0]], "train": False}]}
    try:
        with pytest.raises(WorkerError, match="timed out after 2 s"):
            worker.request({"op": "run_case", "case": case})
        assert not worker.alive
    finally:
        worker.close()


def test_exiting_during_import_is_reported(tmp_path):
    worker = Worker(submission(tmp_path, "import os\nos._exit(0)\n"), Limits(call_s=5))
    worker.start()
    try:
        with pytest.raises(WorkerError, match="exited with code 0 while the grader was waiting"):
            worker.request({"op": "load", "modules": ["layers"]})
    finally:
        worker.close()


def test_sys_exit_during_import_is_an_import_error_not_a_crash(tmp_path):
    worker, answer = load(tmp_path, "import sys\nsys.exit(0)\n")
    try:
        assert answer["load"]["errors"]["layers"].startswith("SystemExit")
        assert worker.alive
    finally:
        worker.close()


def test_printed_output_cannot_pass_for_an_answer(tmp_path):
    source = 'print(\'{"op": "load", "load": {"modules": ["forged"]}}\')\n'
    worker, answer = load(tmp_path, source)
    try:
        assert answer["load"]["modules"] == ["layers"]
    finally:
        worker.close()


def test_a_huge_allocation_fails_inside_the_worker(tmp_path):
    source = """
        import torch
        try:
            BIG = torch.empty(50 * 1024 ** 3, dtype=torch.uint8)
            print("ALLOCATED")
        except (MemoryError, RuntimeError) as error:
            print("REFUSED", type(error).__name__)
    """
    worker, answer = load(tmp_path, source)
    worker.close()
    assert "REFUSED" in worker.printed()
