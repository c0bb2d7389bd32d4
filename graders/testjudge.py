"""Judge the student's own tests from the passes the worker ran (graders/worker/testpasses.py).

- The wheat: every test should pass on the correct library. A test that fails there is a
  wrong test; one that stops on a name the lab's API does not define is "not comparable" and
  counts neither way.
- The chaffs: a chaff is caught when a test that passes on the wheat fails on it.
- The mutants of the student's own code: killed when a test that passes on their code (and
  does not fail on the wheat) fails on the mutant. A surviving mutant whose results on the
  fixture cases equal the student's own is equivalent: it is shown but not scored.
- Coverage: which layers' forward (or backward, at that stage) some test that passes on the
  wheat reaches, and whether a test that catches a chaff runs a whole Network with a hidden
  ReLU between two Linear layers of at least 2 units each.
"""

from dataclasses import dataclass, field

from .chaffs import Chaff, load_chaffs, reference_sources
from .fixtures import Case, strip_expected

TEST_GRADING_S = 60
NOT_COMPARABLE = ("BeyondTheLab", "AttributeError", "ImportError", "ModuleNotFoundError")
LAYER_KINDS = ("Linear", "ReLU", "MSELoss", "Regularization", "Softmax", "Sum")
FAILING = ("failed", "error")


@dataclass
class TestRecord:
    """One of the student's tests."""

    name: str
    """pytest's name for it: file::class::function."""
    own: str
    """Its outcome on the student's own code: passed, failed, error, skipped, timed out, not run."""
    wheat: str
    """Its outcome on the correct library: passed, failed, not comparable, skipped, timed out."""
    message: str = ""
    """Why it did not pass on the wheat: the assertion's message, or the name it reached for."""
    catches: list[str] = field(default_factory=list)
    """The chaffs it caught (their ids, or numbers when the descriptions are hidden)."""
    reaches: list[str] = field(default_factory=list)
    """The layer methods it reached on the wheat, e.g. ``Linear.forward``."""
    handed_out: bool = False
    """It is in an unchanged copy of a handed-out test file: shown, but it earns nothing."""


@dataclass
class ChaffRecord:
    """One chaff and whether the student's tests caught it."""

    label: str
    """Its id, or "chaff N" when the descriptions are hidden."""
    layer: str
    misconception: str
    """The misconception in one sentence; empty when hidden."""
    status: str
    """caught, escaped, "caught by handed-out tests only" (scored as escaped), timed out or
    not run."""
    caught_by: list[str] = field(default_factory=list)


@dataclass
class MutantRecord:
    """One small change of the student's own code and what their tests made of it."""

    where: str
    """Class, method and line, e.g. ``Linear.forward, line 12``."""
    operator: str
    change: str
    status: str
    """killed, timed out, survived, equivalent (not scored) or not run (not scored)."""
    killed_by: str = ""
    differs_on: list[str] = field(default_factory=list)
    """For a survivor: fixture cases on which it computes something else than the original."""

    @property
    def scored(self) -> bool:
        return self.status in ("killed", "timed out", "survived")


@dataclass
class CoverageRecord:
    """Whether some test that passes on the wheat reaches one part of the library."""

    item: str
    """E.g. ``Linear.forward`` or ``Network.forward with a hidden ReLU``."""
    covered: bool
    by: list[str] = field(default_factory=list)


@dataclass
class TestGrading:
    """The student's tests judged on the wheat, the chaffs and the mutants of their code."""

    stage: str
    ran: bool
    """False when there were no tests, or the worker could not run them."""
    message: str = ""
    """Why nothing ran, or what limited the run; empty when all went well."""
    tests: list[TestRecord] = field(default_factory=list)
    chaffs: list[ChaffRecord] = field(default_factory=list)
    mutants: list[MutantRecord] = field(default_factory=list)
    coverage: list[CoverageRecord] = field(default_factory=list)
    hidden_chaffs: bool = False
    """The chaffs' ids and misconceptions are hidden from the student."""
    seconds: float = 0.0
    output: str = ""
    """The end of what the tests printed on the student's own code."""


def stage_cases(cases: list[Case], stage: str) -> list[dict]:
    """The fixture cases' inputs for telling equivalent mutants apart, run as at the stage."""
    chosen = [case for case in cases if stage == "backward" or case.stage == "forward"]
    return [dict(strip_expected(case.spec), stage="forward" if stage == "forward"
                 else case.stage) for case in chosen]


def grading_request(test_files: list[str], stage: str, cases: list[Case]) -> dict:
    """The worker's request: the test files, the wheat's and the chaffs' sources, the cases."""
    reference = reference_sources()
    wheat = {name.removesuffix(".py"): text for name, text in reference.items()}
    return {"op": "grade_tests", "files": test_files, "stage": stage, "wheat": wheat,
            "chaffs": [{"id": chaff.id, "layer": chaff.layer,
                        "sources": chaff.sources(reference)}
                       for chaff in load_chaffs(stage)],
            "cases": stage_cases(cases, stage), "timeout": TEST_GRADING_S}


def hide_chaffs(options) -> bool:
    """Whether the chaffs' misconceptions stay hidden: ``--hide-chaffs``, or the rubric says so."""
    from .report import load_rubric

    setting = load_rubric(options.stage).get("tests", {}).get("hide_chaff_descriptions", False)
    return bool(getattr(options, "hide_chaffs", False) or setting)


def grade_tests(session) -> TestGrading:
    """Ask the session's worker to run the passes, then judge them."""
    from .sandbox import WorkerError
    from .session import sentence

    stage = session.options.stage
    hide = hide_chaffs(session.options)
    request = grading_request(session.submission.test_files, stage, session.cases)
    handed_out = session.submission.handed_out
    try:
        answer = session.ask(request, timeout=TEST_GRADING_S + 10)["result"]
    except WorkerError as error:
        return judge(None, stage, hide, sentence(error), handed_out)
    try:
        return judge(answer, stage, hide, handed_out=handed_out)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        # The worker shares its process with the student's code, which may have changed it.
        return judge(None, stage, hide, f"the worker's account of your tests could not be "
                                        f"read ({type(error).__name__}: {error})", handed_out)


def _wheat_outcome(test: dict | None, collection_error: str) -> tuple[str, str]:
    if test is None:
        return "not comparable", collection_error or "not collected against the wheat"
    outcome, kind = test["outcome"], test.get("type", "")
    if outcome in FAILING and kind in NOT_COMPARABLE:
        return "not comparable", test["message"]
    if outcome in FAILING:
        return "failed", test["message"]
    return outcome, test.get("message", "")


def judge(answer: dict | None, stage: str, hide: bool = False, error: str = "",
          handed_out: list[str] = ()) -> TestGrading:
    """The typed verdicts of the worker's ``grade_tests`` answer (None when it failed).

    Tests in ``handed_out`` files (unchanged copies of the template's) are judged and shown,
    but catch, kill and cover nothing for the student.
    """
    chaffs = load_chaffs(stage)
    labels = {c.id: (f"chaff {n}" if hide else c.id) for n, c in enumerate(chaffs, 1)}
    grading = TestGrading(stage=stage, ran=False, hidden_chaffs=hide, message=error)
    if answer is None or answer.get("own") is None:
        grading.message = error or _not_collected(answer or {}) or \
            "no test of yours was found (test_*.py or *_test.py)"
        grading.chaffs = [ChaffRecord(labels[c.id], c.layer, "" if hide else c.misconception,
                                      "escaped") for c in chaffs]
        grading.coverage = [CoverageRecord(item, False) for item in coverage_items(stage)]
        return grading

    grading.ran = True
    grading.seconds = answer.get("seconds", 0.0)
    grading.output = answer.get("output", "")
    own = answer["own"]["tests"]
    wheat = (answer.get("wheat") or {}).get("tests", {})
    calls = ((answer.get("wheat") or {}).get("probe") or {}).get("calls", {})
    errors = answer.get("wheat_errors", {})
    for name, test in own.items():
        outcome, message = _wheat_outcome(wheat.get(name), _collection_error(name, errors))
        grading.tests.append(TestRecord(name, test["outcome"], outcome, message,
                                        reaches=[c for c in calls.get(name, [])
                                                 if c.endswith((".forward", ".backward"))],
                                        handed_out=name.split("::", 1)[0] in handed_out))
    valid = {t.name for t in grading.tests if t.wheat == "passed"}
    theirs = {t.name for t in grading.tests if not t.handed_out}
    by_name = {t.name: t for t in grading.tests}

    for chaff in chaffs:
        result = answer.get("chaffs", {}).get(chaff.id, {})
        record = _chaff_record(chaff, result, valid, labels[chaff.id], hide, theirs)
        for name in record.caught_by:
            by_name[name].catches.append(record.label)
        grading.chaffs.append(record)

    wrong = {t.name for t in grading.tests if t.wheat == "failed"}
    usable = {name for name, test in own.items() if test["outcome"] == "passed"} \
        - wrong - {t.name for t in grading.tests if t.handed_out}
    grading.mutants = [_mutant_record(m, usable) for m in answer.get("mutants", [])]
    grading.coverage = _coverage(stage, grading.tests, calls)
    limited = [p for p in [answer.get("own"), answer.get("wheat")]
               if p and p["status"] != "finished"]
    if limited:
        grading.message = "some tests did not finish: " + ", ".join(
            sorted({p["status"] for p in limited}))
    grading.message = "; ".join(filter(None, [_not_collected(answer), grading.message]))
    return grading


def _not_collected(answer: dict) -> str:
    """The collection errors on the student's own code, as one sentence."""
    errors = answer.get("errors") or {}
    if not errors:
        return ""
    return "some of your test files could not be collected: " + "; ".join(
        f"{where}: {message}" for where, message in sorted(errors.items()))


def _collection_error(name: str, errors: dict) -> str:
    file = name.split("::", 1)[0]
    return next((message for where, message in errors.items() if where.startswith(file)), "")


def _chaff_record(chaff: Chaff, result: dict, valid: set, label: str, hide: bool,
                  theirs: set) -> ChaffRecord:
    failing = result.get("not_passed", {})
    caught_by = sorted(name for name, test in failing.items()
                       if name in valid and test["outcome"] in FAILING)
    if set(caught_by) & theirs:
        status = "caught"
    elif caught_by:
        status = "caught by handed-out tests only"
    elif result.get("status") in ("timed out", "not run"):
        status = result["status"]
    else:
        status = "escaped"
    return ChaffRecord(label, chaff.layer, "" if hide else chaff.misconception, status,
                       caught_by)


def _mutant_record(mutant: dict, usable: set) -> MutantRecord:
    failing = mutant.get("not_passed", {})
    killers = [name for name, test in failing.items()
               if name in usable and test["outcome"] in FAILING]
    record = MutantRecord(mutant["where"], mutant["operator"], mutant["change"], "survived")
    probe = mutant.get("probe") or {}
    if killers:
        record.status, record.killed_by = "killed", killers[0]
    elif mutant.get("status") == "timed out":
        record.status = "timed out"
    elif mutant.get("status") == "not run":
        record.status = "not run"
    elif probe.get("differs") is False:
        record.status = "equivalent"
    else:
        record.differs_on = probe.get("differs_on", [])
    return record


def coverage_items(stage: str) -> list[str]:
    method = "forward" if stage == "forward" else "backward"
    return [f"{kind}.{method}" for kind in LAYER_KINDS] + \
        [f"Network.{method} with a hidden ReLU"]


def _coverage(stage: str, tests: list[TestRecord], calls: dict) -> list[CoverageRecord]:
    """Coverage by the tests that pass on the wheat; a network test must also catch a chaff."""
    records = []
    for item in coverage_items(stage):
        network = item.startswith("Network")
        by = [t.name for t in tests if t.wheat == "passed" and not t.handed_out
              and item in calls.get(t.name, []) and (t.catches or not network)]
        records.append(CoverageRecord(item, bool(by), by))
    return records
