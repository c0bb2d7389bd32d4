"""Start the grading worker next to a submission, in a separate, limited process.

With bubblewrap (``bwrap``) the worker sees only the system's programs and libraries, the
Python installation, a copy of the worker package and the submission's private scratch
folder: no network, no graders, fixtures, reference or report folders, no home directory.
Without bubblewrap it still runs in its own process with resource limits, and the report
says the isolation was weaker.
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WORKER_PACKAGE = Path(__file__).resolve().parent / "worker"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/passwd",
                "/etc/group", "/etc/nsswitch.conf")
LAUNCH = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from tapegrade_worker.main import main; main()")


@dataclass
class Limits:
    """What one worker may use."""

    call_s: float = 20.0
    """Wall-clock seconds for one request (one check)."""
    start_s: float = 60.0
    """Wall-clock seconds to start and import torch."""
    memory_mb: int = 3072
    """Address space of the worker, in MiB (not applied on CUDA, whose driver maps more)."""
    cpu_s: int = 300
    """CPU seconds over the worker's whole life."""
    file_mb: int = 64
    """Largest file the worker may write, in MiB."""
    processes: int = 256
    """Processes and threads the worker may have (a pids cgroup, else RLIMIT_NPROC)."""
    output_kb: int = 64
    """How much of the worker's printed output is kept for the report (the end of it)."""


class WorkerError(Exception):
    """The worker could not answer; the message is one plain sentence for the report."""


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def isolation_name(sandbox: bool) -> str:
    if sandbox:
        return "bubblewrap: no network, read-only system, private scratch folder"
    return ("weaker: separate process with resource limits only (bubblewrap not installed); "
            "the submission could read files this user can read")


def _python_dirs() -> list[str]:
    """Folders the worker's Python needs: its installation, venv and package folders."""
    dirs = {sys.base_prefix, sys.prefix, sys.exec_prefix}
    dirs.update(p for p in sys.path if p and Path(p).is_dir() and "site-packages" in p)
    ordered = sorted(dirs, key=len)
    return [d for i, d in enumerate(ordered)
            if not any(d.startswith(parent + os.sep) for parent in ordered[:i])]


def _bwrap_command(root: Path, argv: list[str], gpu: bool) -> list[str]:
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
               "--uid", "65534", "--gid", "65534", "--hostname", "sandbox",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            command += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            command += ["--ro-bind", path, path]
    for path in _python_dirs():
        command += ["--ro-bind", path, path]
    if gpu:
        # The NVIDIA driver's device files and what it reads about them.
        for path in sorted(Path("/dev").glob("nvidia*")):
            command += ["--dev-bind", str(path), str(path)]
        for path in ("/sys", "/proc/driver/nvidia"):
            if os.path.exists(path):
                command += ["--ro-bind", path, path]
    command += ["--ro-bind", str(root / "grader"), "/grader",
                "--bind", str(root / "submission"), "/submission",
                "--chdir", "/submission", "--setenv", "HOME", "/submission",
                "--setenv", "TMPDIR", "/tmp", "--"]
    return command + argv


def _set_limits(limits: Limits, cap_memory: bool, group: Path | None):
    """Resource limits for the child, applied between fork and exec."""
    def apply():
        os.setsid()
        if group is not None:
            (group / "cgroup.procs").write_text(str(os.getpid()))
        if cap_memory:
            memory = limits.memory_mb * 1024 * 1024
            try:
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            except (ValueError, OSError):
                pass  # NOTE: macOS refuses an address-space limit; the others still hold.
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s))
        size = limits.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if group is None and Path("/proc").is_dir():
            running = _task_count()
            resource.setrlimit(resource.RLIMIT_NPROC, (running + limits.processes,) * 2)
    return apply


def _task_count() -> int:
    """Processes and threads of this user now: RLIMIT_NPROC counts them all."""
    uid, tasks = os.getuid(), 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                tasks += len(os.listdir(entry / "task"))
        except OSError:
            continue
    return tasks


def _pids_group(limit: int) -> Path | None:
    """A pids cgroup of the worker's own, capping its processes and threads.

    Returns None where no cgroup can be made (no permission, no pids controller): the
    worker then falls back to RLIMIT_NPROC.
    """
    for parent in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if not (parent / "cgroup.procs").exists():
            continue
        try:
            group = Path(tempfile.mkdtemp(prefix="tapegrade-", dir=parent))
        except OSError:
            continue
        try:
            (group / "pids.max").write_text(str(limit))
            return group
        except OSError:
            _remove_group(group)
    return None


def _remove_group(group: Path) -> None:
    """Kill whatever is left in ``group``, then remove it."""
    for _ in range(50):
        try:
            pids = (group / "cgroup.procs").read_text().split()
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError, ValueError):
                pass
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.02)


class Worker:
    """One worker process for one submission; requests are answered one at a time."""

    def __init__(self, submission: Path, limits: Limits | None = None, sandbox: bool | None = None,
                 device: str = "cpu"):
        self.limits = limits or Limits()
        self.sandbox = bubblewrap() is not None if sandbox is None else sandbox
        self.device = device
        self.root = Path(tempfile.mkdtemp(prefix="tapegrade-worker-"))
        shutil.copytree(WORKER_PACKAGE, self.root / "grader" / "tapegrade_worker",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(submission, self.root / "submission", symlinks=True)
        self.process = None
        self.group = None
        self._output = bytearray()
        self.printed_bytes = 0

    # Life cycle

    def start(self) -> None:
        """Start the worker; it imports torch in the background while the caller goes on."""
        if self.sandbox:
            command = _bwrap_command(self.root, self._argv("/grader"), self.device != "cpu")
            cwd = None
        else:
            command = self._argv(str(self.root / "grader"))
            cwd = self.root / "submission"
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.device == "cpu":
            env["CUDA_VISIBLE_DEVICES"] = ""
        elif "CUDA_VISIBLE_DEVICES" in os.environ:
            env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
        if not self.sandbox:
            env["HOME"] = str(self.root / "submission")
        self.group = _pids_group(self.limits.processes)
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_set_limits(self.limits, self.device == "cpu", self.group))
        self._answers = []
        self._answer_ready = threading.Condition()
        threading.Thread(target=self._read_answers, daemon=True).start()
        self._output_reader = threading.Thread(target=self._read_output, daemon=True)
        self._output_reader.start()
        self._started = time.monotonic()
        self._answered = False

    def _argv(self, grader_dir: str) -> list[str]:
        return [sys.executable, "-I", "-X", "faulthandler", "-c", LAUNCH, grader_dir]

    def close(self) -> None:
        """Stop the worker and everything it started, and remove its scratch folders."""
        self.close_process()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # Talking to it

    def _read_answers(self):
        for line in self.process.stdout:
            with self._answer_ready:
                self._answers.append(line)
                self._answer_ready.notify()
        with self._answer_ready:
            self._answers.append(None)
            self._answer_ready.notify()

    def _read_output(self):
        keep = self.limits.output_kb * 1024
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):
            self.printed_bytes += len(chunk)
            self._output += chunk
            if len(self._output) > 2 * keep:
                del self._output[:-keep]

    def printed(self) -> str:
        """The end of what the submission printed (stdout and stderr together)."""
        text = bytes(self._output[-self.limits.output_kb * 1024:]).decode("utf-8", "replace")
        if self.printed_bytes > len(text):
            text = f"[{self.printed_bytes - len(text)} earlier bytes not kept]\n" + text
        return text

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def request(self, payload: dict, timeout: float | None = None) -> dict:
        """Send one request and wait for its answer; WorkerError when none comes."""
        self.send(payload)
        return self.receive(timeout)

    def send(self, payload: dict) -> None:
        if not self.alive:
            raise WorkerError(self._death())
        try:
            self.process.stdin.write((json.dumps(payload) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerError(self._death()) from None

    def receive(self, timeout: float | None = None) -> dict:
        """The next answer; WorkerError when none comes within ``timeout`` seconds."""
        limit = self.limits.call_s if timeout is None else timeout
        wait = limit
        if not self._answered:
            # The first answer also waits for the worker to start and import torch.
            wait += max(0.0, self.limits.start_s - (time.monotonic() - self._started))
        deadline = time.monotonic() + wait
        with self._answer_ready:
            while not self._answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.close_process()
                    raise WorkerError(f"timed out after {limit:.0f} s")
                self._answer_ready.wait(left)
            line = self._answers.pop(0)
        self._answered = True
        if line is None:
            raise WorkerError(self._death())
        try:
            return json.loads(line)
        except ValueError:
            self.close_process()
            raise WorkerError("answered with something that is not JSON") from None

    def close_process(self):
        """Kill the worker and every process it started."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait(timeout=10)
        if self.process is not None:
            # Everything the worker printed has arrived once its stderr is closed.
            self._output_reader.join(timeout=5)
        if self.group is not None:
            _remove_group(self.group)
            self.group = None

    def _death(self) -> str:
        """One plain sentence on why the worker is gone."""
        if self.process is None:
            return "the worker was never started"
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            if -code == signal.SIGXCPU:
                return f"used more than {self.limits.cpu_s} s of CPU time and was stopped"
            if -code == signal.SIGXFSZ:
                return f"wrote a file larger than {self.limits.file_mb} MB and was stopped"
            return f"was killed by signal {name}"
        if "MemoryError" in self.printed()[-4000:]:
            return f"used more than {self.limits.memory_mb} MB of memory"
        return f"exited with code {code} while the grader was waiting for an answer"
