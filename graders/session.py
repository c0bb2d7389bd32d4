"""The state of grading one submission, shared by the checks: the worker and the expected values.

Expected values live here, in the scoring process, and never travel to the worker: it gets
each case's inputs (``strip_expected``) and answers with plain numbers, which are rebuilt as
plain tensors before any comparison.
"""

import logging
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from .compare import ATOL, RTOL, Comparison, compare
from .fixtures import Case, load_all, shape_of, strip_expected
from .intake import Submission
from .options import Options, start_worker
from .sandbox import Worker, WorkerError

log = logging.getLogger("tapegrade")

ROOT = Path(__file__).resolve().parent.parent
MAX_WORKER_FAILURES = 5
HIDDEN_SEED = 20261203
OWN_TESTS_CALLS = 3
"""The student's own tests may take as long as this many checks."""


def sentence(error: WorkerError) -> str:
    """A worker failure as one sentence for the report."""
    text = str(error)
    if text.startswith("not run"):
        return text[0].upper() + text[1:] + "."
    return f"The submission's code {text}."


@dataclass
class CaseVerdict:
    """The outcome of one case: every value compared, or the error that stopped it."""

    passed: bool
    comparisons: list[tuple[str, Comparison]] = field(default_factory=list)
    error: str = ""
    """What stopped the student's code, in one sentence; empty when nothing did."""

    def summary(self) -> str:
        if self.error:
            return self.error
        failed = [f"{label}: {c.message}" for label, c in self.comparisons if not c.passed]
        return "; ".join(failed) if failed else "all values agree"

    def as_metadata(self) -> dict:
        return {"passed": self.passed, "error": self.error,
                "comparisons": [dict(asdict(c), label=label) for label, c in self.comparisons]}


SECTIONS = {
    "outputs": ("expected", "output of {}"),
    "grads": ("expected_grads", "grad of {}"),
    "after_step": ("expected_after_step", "{} after step"),
}


# The phases whose failure leaves a section without values.
BROKEN_BY = {
    "outputs": ("build", "forward"),
    "grads": ("build", "forward", "backward"),
    "after_step": ("build", "forward", "backward", "step"),
}


def _shape(spec: dict, name: str) -> tuple | None:
    """The shape of a layer's output in a case: its Input value, or its expected output."""
    for layer in spec["layers"]:
        if layer["name"] == name and layer["type"] == "Input":
            return shape_of(layer["value"])
    expected = spec.get("expected", {}).get(name, {}).get("output")
    return shape_of(expected) if expected is not None else None


def conventions_of(spec: dict) -> dict[float, str]:
    """Factors by which a known, different convention would change this case's values."""
    known: dict[float, list[str]] = {}

    def add(factor, text):
        known.setdefault(float(factor), []).append(text)

    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "Regularization":
            add(0.5, "λ/2 · ‖W‖² where the contract says λ · ‖W‖²")
        elif kind in ("MSELoss", "Softmax"):
            shape = _shape(spec, layer["inputs"]["x"]) or ()
            rows, batch = (shape + (1, 1))[:2] if len(shape) == 2 else (1, 1)
            loss = "the squared error" if kind == "MSELoss" else "the cross-entropy"
            if batch > 1:
                add(batch, f"{loss} summed over the batch where the contract averages over "
                           f"its m = {batch} samples")
            if kind == "MSELoss" and rows > 1:
                add(1 / rows, f"averaged over the {rows} features as well (torch.mean over every "
                              f"entry) where the contract sums over the features")
    add(-1.0, "the expected value with the opposite sign")
    return {factor: " or ".join(texts) for factor, texts in known.items()}


def judge(spec: dict, result: dict, phases: tuple[str, ...]) -> CaseVerdict:
    """Compare a worker's result with the expected values of ``spec`` for these phases."""
    verdict = CaseVerdict(passed=True)
    tolerance = spec.get("tolerance", {})
    rtol, atol = tolerance.get("rtol", RTOL), tolerance.get("atol", ATOL)
    conventions = conventions_of(spec)
    for section in phases:
        key, label = SECTIONS[section]
        for name, expected in spec.get(key, {}).items():
            if section == "outputs":
                items = [("output", expected["output"], result["outputs"].get(name))]
                if "classifications" in expected:
                    items.append(("classifications", expected["classifications"],
                                  result["classifications"].get(name)))
            else:
                items = [("", expected, result[section].get(name))]
            for what, value, got in items:
                text = label.format(name) if what != "classifications" \
                    else f"classifications of {name}"
                comparison = compare(value, got, rtol=rtol, atol=atol, conventions=conventions)
                if got is None:
                    read_error = result["read_errors"].get(f"{section}.{name}")
                    comparison.message = read_error or "no value came back"
                verdict.comparisons.append((text, comparison))
    error = result.get("error")
    if error and any(error["phase"] in BROKEN_BY[section] for section in phases):
        verdict.error = (f"{error['type']} during {error['phase']}{error['where']}: "
                         f"{error['message']}")
    verdict.passed = not verdict.error and all(c.passed for _, c in verdict.comparisons)
    return verdict


class GradingSession:
    """One submission, its worker, and the cases it is checked on."""

    def __init__(self, submission: Submission, options: Options, worker: Worker | None = None):
        """``worker``, when given, was started (and sent its load request) by the caller."""
        self.submission = submission
        self.options = options
        self.cases: list[Case] = load_all(options.fixtures)
        self.worker = worker
        self.failures: list[str] = []
        self.loaded: dict = {}
        self.mapping: dict = {}
        self.autograd_used = False
        self._loading = worker is not None
        self.import_failure = ""
        self.broken: dict[str, str] = {}
        """Layer types whose cases hung or crashed the worker, with what happened."""
        self._results: dict[str, dict] = {}
        self._hidden: list[dict] | None = None
        self._test_grading = None

    # The worker

    def _spawn(self) -> None:
        if self.worker is not None:
            self.worker.close()
        self.worker = start_worker(self.submission, self.options)
        self._loading = True

    def _finish_loading(self) -> None:
        if self._loading:
            self._loading = False
            self.loaded = self.worker.receive().get("load", {})

    def ask(self, payload: dict, timeout: float | None = None) -> dict:
        """Send one request; restart the worker after a failure, up to a limit.

        Raises WorkerError with a plain sentence when the worker could not answer.
        """
        if self.import_failure:
            raise WorkerError(f"not run: the submission's code {self.import_failure}")
        if len(self.failures) >= MAX_WORKER_FAILURES:
            raise WorkerError(f"not run: the submission's code already failed "
                              f"{len(self.failures)} times ({self.failures[-1]})")
        try:
            if self.worker is None or not self.worker.alive:
                self._spawn()
            self._finish_loading()
        except WorkerError as error:
            # Importing is the same every time: once it kills the worker, stop trying.
            self.import_failure = f"{error} (during import)"
            self.failures.append(self.import_failure)
            raise WorkerError(self.import_failure) from None
        try:
            answer = self.worker.request(payload, timeout)
        except WorkerError as error:
            self.failures.append(str(error))
            log.info("%s: %s", self.submission.name, error)
            raise
        self.autograd_used |= bool(answer.get("autograd"))
        self.mapping = answer.get("mapping", self.mapping)
        if "error" in answer:
            raise WorkerError(f"the worker could not do {payload['op']}: {answer['error']}")
        return answer

    def _once(self, key: str, payload: dict, timeout: float | None = None) -> dict:
        """The worker's result for ``payload``, asked once; a failure is remembered too."""
        if key not in self._results:
            try:
                self._results[key] = self.ask(payload, timeout)["result"]
            except WorkerError as error:
                self._results[key] = error
        outcome = self._results[key]
        if isinstance(outcome, WorkerError):
            raise outcome
        return outcome

    def printed(self) -> str:
        return self.worker.printed() if self.worker else ""

    def stop(self) -> None:
        """Stop the worker; what it printed and every result stay readable."""
        if self.worker is not None:
            self.worker.close_process()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()

    # Cases

    def run_case(self, spec: dict) -> dict:
        """The worker's result for a case (computed once, then reused by every check).

        A case whose layer types include one that hung or crashed the worker before is
        not run again: it would cost another time-out for the same fault.
        """
        # At the forward stage nothing past forward is run: backward may still be a stub.
        stage = "forward" if self.options.stage == "forward" else spec["stage"]
        kinds = {layer["type"] for layer in spec["layers"]}
        culprits = sorted(kinds & set(self.broken))
        if culprits:
            raise WorkerError(f"not run: {culprits[0]} {self.broken[culprits[0]]} earlier")
        case = dict(strip_expected(spec), stage=stage)
        try:
            return self._once(f"{spec['name']}@{stage}",
                              {"op": "run_case", "case": case, "dtype": self.options.dtype,
                               "device": self.options.device})
        except WorkerError as error:
            if not str(error).startswith("not run"):
                for kind in (kinds - {"Input"}) or kinds:
                    self.broken.setdefault(kind, str(error))
            raise

    def check_case(self, spec: dict, phases: tuple[str, ...]) -> CaseVerdict:
        try:
            result = self.run_case(spec)
        except WorkerError as error:
            return CaseVerdict(passed=False, error=sentence(error))
        return judge(spec, result, phases)

    def probe(self, name: str) -> dict:
        return self._once(f"probe:{name}", {"op": "probe", "name": name,
                                            "device": self.options.device})

    def training(self) -> dict:
        """The worker's account of the training experiment (see graders/training.py)."""
        from .training import plan, settings

        experiment, _ = settings()
        return self._once("training",
                          {"op": "train", "experiment": plan(experiment).request,
                           "dtype": self.options.dtype, "device": self.options.device},
                          timeout=experiment.budget_s + self.options.limits.call_s)

    def own_tests(self) -> dict:
        if not self.submission.test_files:
            return {"tests": [], "output": ""}
        limit = OWN_TESTS_CALLS * self.options.limits.call_s
        return self._once("own-tests",
                          {"op": "run_tests", "files": self.submission.test_files,
                           "timeout": limit},
                          timeout=limit + 10)

    def test_grading(self):
        """The student's tests judged on the wheat, the chaffs and mutants of their code."""
        if self._test_grading is None:
            from .testjudge import grade_tests

            self._test_grading = grade_tests(self)
        return self._test_grading

    @property
    def own_tests_result(self) -> dict:
        """The own tests' result if they ran, else {}."""
        outcome = self._results.get("own-tests", {})
        return outcome if isinstance(outcome, dict) else {}

    def fixture_cases(self, layers: bool, stage: str | None = None) -> list[Case]:
        """Fixture cases of single layers (``layers``) or of networks, optionally one stage."""
        return [case for case in self.cases
                if (case.layer != "Network") == layers and (stage is None or case.stage == stage)]

    def hidden_cases(self) -> list[dict]:
        """The hidden cases of this stage, with expected values from the reference."""
        if self._hidden is None:
            from .hidden import hidden_specs, with_expected
            from .worker.api import Library
            sys.path.insert(0, str(ROOT))
            from reference import layers, network

            reference = Library([layers, network])
            self._hidden = [with_expected(spec, reference)
                            for spec in hidden_specs(HIDDEN_SEED, "backward")]
        return self._hidden


SESSION_KEY = pytest.StashKey[GradingSession]()
