"""Run the student's own test files (pytest or unittest) on their own code, in the sandbox."""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

OUTPUT_CHARS = 20000


def run(files, timeout):
    """Run ``files`` with pytest in a child process; one record per test, and the output."""
    report = os.path.join(tempfile.mkdtemp(), "junit.xml")
    env = dict(os.environ, PYTHONPATH=os.getcwd(), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--rootdir", os.getcwd(), "-o", "addopts=", "--junitxml", report, *files]
    try:
        done = subprocess.run(command, env=env, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        output = (done.stdout + done.stderr).decode("utf-8", "replace")
    except subprocess.TimeoutExpired as expired:
        output = ((expired.stdout or b"") + (expired.stderr or b"")).decode("utf-8", "replace")
        return {"tests": [], "output": output[-OUTPUT_CHARS:],
                "summary": f"the tests did not finish within {timeout} s"}
    tests = _read_junit(report)
    lines = [line for line in output.splitlines() if line.strip()]
    return {"tests": tests, "output": output[-OUTPUT_CHARS:],
            "summary": lines[-1] if lines else "no output"}


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
