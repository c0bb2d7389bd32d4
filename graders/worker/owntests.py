"""Run the student's own test files (pytest or unittest style) on their own code.

The tests run in a forked child of the worker: torch is already imported there, and
whatever the tests change (modules, patches, globals) disappears with the child.
"""

import os
import signal
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

OUTPUT_CHARS = 20000


def run(files, timeout):
    """Run ``files`` with pytest in a forked child; one record per test, and the output."""
    folder = tempfile.mkdtemp()
    report, log = os.path.join(folder, "junit.xml"), os.path.join(folder, "output.txt")
    child = os.fork()
    if child == 0:
        _child(files, report, log)
    deadline = time.monotonic() + timeout
    finished = False
    while time.monotonic() < deadline:
        done, _ = os.waitpid(child, os.WNOHANG)
        if done:
            finished = True
            break
        time.sleep(0.02)
    if not finished:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    output = _tail(log)
    if not finished:
        return {"tests": [], "output": output,
                "summary": f"the tests did not finish within {timeout} s"}
    lines = [line for line in output.splitlines() if line.strip()]
    return {"tests": _read_junit(report), "output": output,
            "summary": lines[-1] if lines else "no output"}


def _child(files, report, log):
    """In the forked child: run pytest with its output in ``log``, then exit at once."""
    code = 1
    try:
        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = sys.stdout
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        import pytest

        code = pytest.main(["-q", "--tb=short", "-p", "no:cacheprovider", "--rootdir", os.getcwd(),
                            "-o", "addopts=", "--junitxml", report, *files])
    except BaseException:  # the child must never return into the worker's loop
        pass
    finally:
        os._exit(int(code) if isinstance(code, int) else 1)


def _tail(path):
    try:
        with open(path, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            stream.seek(max(0, stream.tell() - OUTPUT_CHARS))
            return stream.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _read_junit(path):
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return []
    tests = []
    for case in root.iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", (child.get("message") or "")[:2000]
            elif child.tag == "skipped":
                outcome = "skipped"
        name = f"{case.get('classname', '')}.{case.get('name', '')}".strip(".")
        tests.append({"name": name, "outcome": outcome, "message": message})
    return tests
