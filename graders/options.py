"""How to grade: the options of one run, and starting its worker (imports nothing heavy)."""

from dataclasses import dataclass, field
from pathlib import Path

from .fixtures import FIXTURES_DIR
from .intake import Submission
from .sandbox import Limits, Worker


@dataclass
class Options:
    """How to grade, as given on the command line."""

    stage: str = "forward"
    device: str = "cpu"
    fixtures: list[Path] = field(default_factory=lambda: [FIXTURES_DIR])
    """Fixture folders: the public one and any private ones of the instructor."""
    dtype: str = "float32"
    limits: Limits = field(default_factory=Limits)
    sandbox: bool | None = None
    """None: bubblewrap when installed."""
    hide_chaffs: bool = False
    """Hide the chaffs' misconceptions from the report (as the rubric's setting does too)."""


def start_worker(submission: Submission, options: Options) -> Worker:
    """A worker for ``submission``, already asked to import its modules.

    Call it before importing torch here: the two imports then run side by side.
    """
    worker = Worker(submission.scratch, options.limits, sandbox=options.sandbox,
                    device=options.device)
    worker.start()
    worker.send({"op": "load", "modules": submission.modules,
                 "overrides": submission.overrides})
    return worker
