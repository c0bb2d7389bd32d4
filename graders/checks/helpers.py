"""What the check files share: turning observations into verdicts and recording them."""

from graders.compare import compare
from graders.session import CaseVerdict, sentence
from graders.sandbox import WorkerError


def conclude(record, verdict: CaseVerdict, case: str = "", derivation: str = ""):
    """Record the verdict in the JSON report, then pass or fail the check with its summary."""
    record(case=case, derivation=derivation, **verdict.as_metadata())
    assert verdict.passed, verdict.summary()


def error_text(observation) -> str:
    error = observation["error"]
    return f"{error['type']}{error['where']}: {error['message']}"


def observed(grading, probe: str, key: str):
    """One observation of a probe, or a failed CaseVerdict saying why there is none."""
    try:
        observations = grading.probe(probe)
    except WorkerError as error:
        return None, CaseVerdict(False, error=sentence(error))
    value = observations.get(key)
    if value is None:
        return None, CaseVerdict(False, error="not reached: an earlier step of the same "
                                              "experiment failed")
    if isinstance(value, dict) and "error" in value:
        return None, CaseVerdict(False, error=error_text(value))
    return value, None


def value_verdict(label: str, expected, got: dict) -> CaseVerdict:
    comparison = compare(expected, got)
    return CaseVerdict(comparison.passed, [(label, comparison)])
