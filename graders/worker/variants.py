"""Run the student's tests once per variant of the code they test, collecting them only once.

Collecting (importing pytest and every test module) is the slow part, so a forked child of
the worker collects the tests once; each variant then runs in a fork of that child (a pass),
so what one variant patches, and whatever the tests change, is gone before the next. A pass
writes one line per finished test, so a pass stopped at its time limit still tells which
tests ran and which one was running.
"""

import gc
import json
import os
import signal
import sys
import tempfile
import time

MESSAGE_CHARS = 400
FOLLOWING_PASS_FACTOR = 4.0
"""A pass after the first may take this many times as long as the first, plus a second."""


class Pass:
    """One run of every collected test under one variant.

    ``setup(context)`` runs in the pass's own process before the tests; it may return a probe
    with ``start(test_name)`` and ``finish(outcomes) -> dict`` (extra data for the result).
    ``context`` holds the results of the passes before it (by name). ``select(context)``,
    when given, names the only tests that can tell anything about this variant (the others
    are "not run"); ``enough(context, line)`` ends the pass after a test whose outcome
    (``line``) settles what the pass is for.
    """

    def __init__(self, name, setup=None, timeout=None, enough=None, select=None):
        self.name = name
        self.setup = setup
        self.timeout = timeout
        self.enough = enough
        self.select = select


def start_collection(files, install, passes, budget, python_files, log_path):
    """Fork a child that runs ``install()``, collects ``files`` and runs every pass.

    Returns (pid, results file); ``finish_collection`` waits for it and reads the results.
    """
    results = _new_file()
    child = os.fork()
    if child == 0:
        _collector(files, install, passes, time.monotonic() + budget, python_files, results,
                   log_path)
    return child, results


def finish_collection(child, results, deadline):
    """Wait for a collecting child until ``deadline``; its collection and passes, read back."""
    finished = _wait(child, deadline)
    lines = _read_lines(results)
    os.unlink(results)
    collected = next((line for line in lines if "collected" in line),
                     {"collected": [], "errors": {}})
    done = {line["pass"]: line for line in lines if "pass" in line}
    return {"collected": collected["collected"], "errors": collected["errors"],
            "passes": done, "finished": finished}


def _new_file():
    descriptor, path = tempfile.mkstemp(suffix=".jsonl")
    os.close(descriptor)
    return path


def _die_with_parent(parent):
    """Be killed when ``parent`` dies, so a pass never outlives the collection it belongs to."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


def _wait(child, deadline):
    while time.monotonic() < deadline:
        done, _ = os.waitpid(child, os.WNOHANG)
        if done:
            return True
        time.sleep(0.005)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    return False


def _read_lines(path):
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except OSError:
        return []
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            break  # a line cut short by a kill: nothing after it is complete either
    return lines


def _collector(files, install, passes, deadline, python_files, results, log_path):
    """In the collecting child: pytest collects once; the plugin runs the passes."""
    code = 1
    try:
        descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = sys.stdout
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        install()
        import pytest

        # As for the run on their own code, the submission's conftest.py and pytest.ini are
        # not used: they could rewrite the outcome of its tests.
        settings = os.path.join(os.path.dirname(results), f"pytest-{os.getpid()}.ini")
        with open(settings, "w") as stream:
            stream.write(f"[pytest]\npython_files = {python_files}\n")
        plugin = _passes_plugin(pytest)(passes, deadline, results)
        code = pytest.main(["-q", "--tb=line", "-p", "no:cacheprovider", "-p", "no:junitxml",
                            "--noconftest", "-c", settings, "--rootdir", os.getcwd(), *files],
                           plugins=[plugin])
    except BaseException as error:  # the child must never return into the worker's loop
        try:
            with open(results, "a", encoding="utf-8") as stream:
                stream.write(json.dumps({"collected": [], "errors": {
                    "collection": f"{type(error).__name__}: {error}"[:MESSAGE_CHARS]}}) + "\n")
        except BaseException:
            pass
    finally:
        os._exit(int(code) if isinstance(code, int) else 1)


def _passes_plugin(pytest):
    from _pytest.runner import runtestprotocol

    class PassesPlugin:
        def __init__(self, passes, deadline, results):
            self.passes = passes
            self.deadline = deadline
            self.results = results
            self.errors = {}
            self.types = {}

        def pytest_collectreport(self, report):
            if report.failed:
                self.errors[report.nodeid or "collection"] = _last_line(report.longreprtext)

        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_makereport(self, item, call):
            report = yield
            if call.excinfo is not None:
                self.types[(item.nodeid, call.when)] = call.excinfo.typename
            return report

        @pytest.hookimpl(tryfirst=True)
        def pytest_runtestloop(self, session):
            items = list(session.items)
            self._write({"collected": [item.nodeid for item in items], "errors": self.errors})
            # A full garbage collection in a forked pass would touch, and so copy, every
            # object of this process (a few tenths of a second); frozen objects are skipped.
            gc.freeze()
            context, first = {}, None
            for number, one in enumerate(self.passes):
                left = self.deadline - time.monotonic()
                limit = one.timeout if one.timeout is not None else \
                    FOLLOWING_PASS_FACTOR * (first or 1.0) + 1.0
                if left < min(limit, 0.5):
                    break
                result = self._run_pass(one, items, context, min(limit, left))
                context[one.name] = result
                self._write(result)
                if number == 0:
                    first = result["seconds"]
            return True

        def _run_pass(self, one, items, context, limit):
            lines = _new_file()
            started = time.monotonic()
            parent = os.getpid()
            child = os.fork()
            if child == 0:
                _die_with_parent(parent)
                self._pass_child(one, items, context, lines)
            finished = _wait(child, started + limit)
            seconds = time.monotonic() - started
            written = _read_lines(lines)
            os.unlink(lines)
            outcomes = {line["test"]: line for line in written if "test" in line}
            extra = next((line["probe"] for line in written if "probe" in line), {})
            status = "finished" if finished and len(outcomes) == len(items) else \
                "timed out" if not finished else "crashed"
            stopped = False
            for item in items:
                if item.nodeid not in outcomes:
                    outcomes[item.nodeid] = {"test": item.nodeid, "outcome": (
                        "not run" if stopped else status), "type": "", "message": ""}
                    stopped = True
            return {"pass": one.name, "status": status, "seconds": round(seconds, 4),
                    "tests": outcomes, "probe": extra}

        def _pass_child(self, one, items, context, lines):
            try:
                stream = open(lines, "w", encoding="utf-8", buffering=1)
                chosen = one.select(context) if one.select else None
                left = [item for item in items if chosen is None or item.nodeid in chosen]
                for item in items:
                    if chosen is not None and item.nodeid not in chosen:
                        stream.write(json.dumps(_not_run(item.nodeid)) + "\n")
                probe = one.setup(context) if one.setup else None
                outcomes = {}
                for index, item in enumerate(left):
                    following = left[index + 1] if index + 1 < len(left) else None
                    if probe is not None:
                        probe.start(item.nodeid)
                    reports = runtestprotocol(item, log=False, nextitem=following)
                    line = self._outcome(item.nodeid, reports)
                    outcomes[item.nodeid] = line
                    stream.write(json.dumps(line) + "\n")
                    if one.enough is not None and one.enough(context, line):
                        for rest in left[index + 1:]:
                            stream.write(json.dumps(_not_run(rest.nodeid)) + "\n")
                        break
                if probe is not None:
                    stream.write(json.dumps({"probe": probe.finish(outcomes)}) + "\n")
                stream.close()
            except BaseException:
                pass
            finally:
                os._exit(0)

        def _outcome(self, nodeid, reports):
            for report in reports:
                if report.failed:
                    kind = self.types.get((nodeid, report.when), "")
                    return {"test": nodeid, "outcome": "failed" if report.when == "call"
                            else "error", "type": kind, "message": _crash_message(report)}
            skipped = any(report.skipped for report in reports)
            return {"test": nodeid, "outcome": "skipped" if skipped else "passed",
                    "type": "", "message": ""}

        def _write(self, record):
            with open(self.results, "a", encoding="utf-8") as stream:
                stream.write(json.dumps(record) + "\n")

    return PassesPlugin


def _not_run(name) -> dict:
    return {"test": name, "outcome": "not run", "type": "", "message": ""}


def _crash_message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else _last_line(str(report.longrepr))
    return text[:MESSAGE_CHARS]


def _last_line(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[-1][:MESSAGE_CHARS] if lines else ""
