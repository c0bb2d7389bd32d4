"""The chaffs (graders/chaffs/): each really wrong, and each caught by the reference's tests."""

import ast
import types

import pytest

from support import CASES, ROOT
from graders.chaffs import ChaffError, load_chaffs, reference_sources
from graders.fixtures import strip_expected
from graders.intake import load_submission
from graders.options import Options, start_worker
from graders.session import GradingSession, judge
from graders.worker.api import Library
from graders.worker.cases import run_case
from graders.worker.probes import probe_input

STAGES = ("forward", "backward")
CHAFFS = [chaff for stage in STAGES for chaff in load_chaffs(stage)]


def library_of(sources: dict) -> Library:
    """The library that ``sources`` (by module name) define, behind the grader's adapter."""
    modules = []
    for name in ("layers", "network"):
        module = types.ModuleType(f"chaff_{name}")
        exec(compile(sources[name], f"<chaff {name}.py>", "exec"), module.__dict__)
        modules.append(module)
    return Library(modules)


def reference_by_module() -> dict:
    return {name.removesuffix(".py"): text for name, text in reference_sources().items()}


def failed_cases(library: Library, stage: str) -> list[str]:
    """The fixture cases ``library`` gets wrong, run as the grader runs them at ``stage``."""
    failed = []
    for case in CASES:
        if stage == "backward" and case.stage != "backward":
            continue
        phases = ("outputs",) if stage == "forward" else ("grads", "after_step")
        spec = dict(strip_expected(case.spec), stage=stage)
        if not judge(case.spec, run_case(library, spec), phases).passed:
            failed.append(case.name)
    return failed


def input_probe_differs(library: Library) -> bool:
    """Whether the Input experiments of the checks see ``library`` act unlike the reference.

    ``randomize`` is left out: its values differ on every run.
    """
    seen, expected = (probe_input(one, "cpu") for one in (library, library_of(
        reference_by_module())))
    return any(seen.get(key) != value for key, value in expected.items() if key != "randomize")


def test_there_are_enough_chaffs_with_unique_ids_and_one_sentence_each():
    assert len(CHAFFS) >= 12
    assert all(len(load_chaffs(stage)) >= 6 for stage in STAGES)
    ids = [chaff.id for chaff in CHAFFS]
    assert len(ids) == len(set(ids))
    for chaff in CHAFFS:
        assert chaff.misconception.endswith(".") and "\n" not in chaff.misconception
        assert len(chaff.misconception) < 160, chaff.id


@pytest.mark.parametrize("chaff", CHAFFS, ids=lambda c: f"{c.stage}/{c.id}")
def test_each_chaff_changes_only_the_class_it_names(chaff):
    # The worker runs a chaff only against the tests that reach a method of chaff.layer.
    text = reference_sources()[chaff.file]
    first = text[:text.index(chaff.old)].count("\n") + 1
    last = first + chaff.old.count("\n")
    holders = [node.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.ClassDef)
               and node.lineno <= first and last <= node.end_lineno]
    assert holders == [chaff.layer]


def test_the_reference_itself_passes_every_fixture_case_and_probe():
    reference = library_of(reference_by_module())
    assert failed_cases(reference, "forward") == failed_cases(reference, "backward") == []
    assert not input_probe_differs(reference)


@pytest.mark.parametrize("chaff", CHAFFS, ids=lambda c: f"{c.stage}/{c.id}")
def test_each_chaff_differs_from_the_reference_on_the_fixtures_or_the_input_probe(chaff):
    reference = reference_by_module()
    library = library_of(dict(reference, **chaff.sources(reference_sources())))
    assert failed_cases(library, chaff.stage) or input_probe_differs(library), \
        f"{chaff.id} computes what the reference computes"


def test_a_chaff_whose_text_is_not_in_the_reference_names_the_fix(tmp_path):
    (tmp_path / "forward.toml").write_text(
        '[[chaff]]\nid = "stale"\nlayer = "Linear"\nmisconception = "Gone."\n'
        'file = "layers.py"\nold = "no such text"\nnew = "x"\n')
    chaff = load_chaffs("forward", tmp_path)[0]
    with pytest.raises(ChaffError, match=r"'stale' replaces a text that occurs 0 times in "
                                         r"reference/layers.py.*update its 'old'"):
        chaff.sources(reference_sources())


def test_a_chaff_file_without_a_field_or_with_a_repeated_id_is_refused(tmp_path):
    entry = ('[[chaff]]\nid = "a"\nlayer = "Sum"\nmisconception = "M."\nfile = "layers.py"\n'
             'old = "x"\nnew = "y"\n')
    (tmp_path / "forward.toml").write_text(entry.replace('layer = "Sum"\n', ""))
    with pytest.raises(ChaffError, match="chaff number 1 lacks layer"):
        load_chaffs("forward", tmp_path)
    (tmp_path / "forward.toml").write_text(entry + entry)
    with pytest.raises(ChaffError, match="two chaffs are named 'a'"):
        load_chaffs("forward", tmp_path)


@pytest.fixture(scope="module", params=STAGES)
def reference_tests_judged(request):
    """The reference's own tests (reference/test_*.py) judged at one stage, in the worker."""
    submission = load_submission(ROOT / "reference")
    options = Options(stage=request.param)
    session = GradingSession(submission, options, start_worker(submission, options))
    try:
        yield session.test_grading()
    finally:
        session.close()
        submission.cleanup()


def test_the_reference_tests_pass_on_the_wheat_and_catch_every_chaff(reference_tests_judged):
    judged = reference_tests_judged
    assert judged.ran and judged.tests
    assert [t.name for t in judged.tests if t.wheat != "passed"] == []
    escaped = [c.label for c in judged.chaffs if not c.caught_by]
    assert escaped == [], f"the reference's tests miss {escaped}"
