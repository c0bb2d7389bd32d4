"""Grading a class: the pool of grading processes, failures that stay with one student,
and the class outputs (summary, gradebook, class page, changes between runs)."""

import csv
import json
import re
from dataclasses import asdict
from pathlib import Path

from classgen import BUGGY, REFERENCE, copy_submission, endless_submission
from graders.batch import BatchOptions, ClassRun, Outcome, grade_class, grade_students
from graders.canvas import ClassInput, Student
from graders.classreport import (StudentRow, changes, failed_report, failure_name,
                                 frequent_failures, histogram, render_class_html, summarize,
                                 write_class_outputs, write_reports)
from graders.options import Options
from graders.report import load_rubric
from graders.sandbox import Limits


def results(folder: Path) -> dict:
    """A student's results.json without what differs between any two gradings."""
    found = json.loads((folder / "results.json").read_text())
    found.pop("execution_time")
    # Python's default repr of an object in a student's failed assertion names its address.
    return json.loads(re.sub(r"0x[0-9a-f]+", "0x…", json.dumps(found)))


# Grading in the pool (each test grades three submissions or fewer)


def test_students_graded_one_after_another_in_one_process_get_the_same_results(tmp_path):
    """pytest runs again and again in one grading process: nothing may leak between runs."""
    copy_submission(BUGGY, tmp_path / "class" / "a_buggy", tests=False)
    copy_submission(REFERENCE, tmp_path / "class" / "b_reference")
    copy_submission(BUGGY, tmp_path / "class" / "c_buggy", tests=False)
    run = grade_class(tmp_path / "class", Options(), tmp_path / "out", BatchOptions(jobs=1))

    assert [o.status for o in run.outcomes] == ["graded"] * 3
    students = tmp_path / "out" / "students"
    assert results(students / "b_reference")["score"] == 50
    first, third = results(students / "a_buggy"), results(students / "c_buggy")
    assert 0 < first["score"] < 50
    assert first == third
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [s["key"] for s in summary["students"]] == ["a_buggy", "b_reference", "c_buggy"]
    assert (tmp_path / "out" / "class.html").is_file()
    assert not (tmp_path / "out" / "changes.json").exists(), "a first run has no changes"


def test_a_submission_that_hangs_times_out_and_the_batch_goes_on(tmp_path):
    endless_submission(tmp_path / "class" / "endless")
    copy_submission(REFERENCE, tmp_path / "class" / "reference")
    options = Options(limits=Limits(call_s=3))
    run = grade_class(tmp_path / "class", options, tmp_path / "out", BatchOptions(jobs=2))

    assert {o.key: o.status for o in run.outcomes} == {"endless": "graded",
                                                       "reference": "graded"}
    students = tmp_path / "out" / "students"
    assert results(students / "reference")["score"] == 50
    endless = json.loads((students / "endless" / "grade.json").read_text())
    assert any("timed out after 3 s" in note for note in endless["notes"]), endless["notes"]
    assert endless["score"] < 50
    html = (students / "endless" / "report.html").read_text()
    assert "timed out after 3 s" in html


def test_a_failure_of_the_grader_becomes_that_students_report(tmp_path):
    missing = Student(key="missing", name="missing", path=tmp_path / "gone",
                      notes=["network.py was submitted late"])
    slow = Student(key="slow", name="slow",
                   path=copy_submission(REFERENCE, tmp_path / "class" / "slow", tests=False))
    done = []
    outcomes = grade_students([missing, slow], Options(), tmp_path / "out",
                              BatchOptions(jobs=1, student_limit_s=2), on_done=done.append)

    assert [o.key for o in outcomes] == ["missing", "slow"] and len(done) == 2
    assert all(o.status == "failed" for o in outcomes)
    gone = json.loads((tmp_path / "out" / "missing" / "grade.json").read_text())
    assert gone["score"] == 0
    assert len(gone["checks"]) == len(load_rubric("forward")["check"])
    assert gone["notes"][0] == "network.py was submitted late"
    assert "the grader failed on this submission (IntakeError" in gone["notes"][1]
    stopped = json.loads((tmp_path / "out" / "slow" / "grade.json").read_text())
    assert "did not finish within the batch's limit of 2 s" in stopped["notes"][-1]
    assert "Not graded" in (tmp_path / "out" / "slow" / "report.html").read_text()


# The class outputs, from reports made here (no grading)


def fake_run(tmp_path: Path, scores: dict[str, dict[str, float]],
             failed: tuple[str, ...] = ()) -> ClassRun:
    """A run whose students' grade.json files give these points per check; the ``failed``
    ones could not be graded."""
    found = ClassInput(source=tmp_path / "class", kind="canvas",
                       notes=["readme.txt does not follow Canvas's file names"])
    outcomes = []
    for index, (key, points) in enumerate(scores.items()):
        student = Student(key=key, name=key.split("_")[0], path=tmp_path, user_id=str(index),
                          late=key.startswith("late"))
        report = failed_report(student, "forward", "made by the test", 1.0)
        report.notes = []
        for check in report.checks:
            check.points = points.get(check.id, 0.0)
        report.score = sum(c.points for c in report.checks)
        write_reports(report, tmp_path / "out" / "students" / key)
        found.students.append(student)
        outcomes.append(Outcome(key, "failed" if key in failed else "graded", 1.0))
    return ClassRun(found, outcomes, tmp_path / "out", 3.0)


def test_the_gradebook_has_canvas_columns_and_one_row_per_student(tmp_path):
    run = fake_run(tmp_path, {"ann_1": {"classes": 4}, "late_2": {"classes": 4, "own-tests": 2},
                              "cy_3": {}}, failed=("cy_3",))
    write_class_outputs(run, Options(), BatchOptions())
    rows = list(csv.reader((tmp_path / "out" / "gradebook.csv").open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Gradient tape lab (forward)"]
    assert rows[2:] == [["ann", "0", "", "", "", "4"], ["late", "1", "", "", "", "6"],
                        ["cy", "2", "", "", "", ""]], "no grade is not 0 points"


def test_a_rerun_keeps_the_previous_summary_and_says_what_changed(tmp_path):
    first = fake_run(tmp_path, {"ann_1": {"classes": 5}, "bob_2": {"classes": 5},
                                "cy_3": {"classes": 2}})
    write_class_outputs(first, Options(), BatchOptions())
    second = fake_run(tmp_path, {"ann_1": {"classes": 5, "own-tests": 5},
                                 "bob_2": {"classes": 5}, "dee_4": {}})
    write_class_outputs(second, Options(), BatchOptions())

    out = tmp_path / "out"
    previous = json.loads((out / "summary.previous.json").read_text())
    assert [s["key"] for s in previous["students"]] == ["ann_1", "bob_2", "cy_3"]
    change = json.loads((out / "changes.json").read_text())
    assert change["added"] == ["dee_4"] and change["removed"] == ["cy_3"]
    assert change["unchanged"] == 1
    [ann] = change["changed"]
    assert (ann["key"], ann["before"], ann["after"]) == ("ann_1", 5, 10)
    assert ann["checks"] == [{"check": "own-tests", "before": 0.0, "after": 5.0}]
    html = (out / "class.html").read_text()
    assert "Changes since the last run" in html and "ann" in html


def test_changes_list_a_student_whose_status_changed(tmp_path):
    write_class_outputs(fake_run(tmp_path, {"ann_1": {}}), Options(), BatchOptions())
    previous = json.loads((tmp_path / "out" / "summary.json").read_text())
    rows = [StudentRow(**dict(s, status="failed")) for s in previous["students"]]
    current = summarize(rows, Options(), "Lab", "class", "folders", 1.0, [])
    [moved] = changes(previous, current)["changed"]
    assert (moved["status_before"], moved["status_after"]) == ("graded", "failed")


def test_the_histogram_counts_every_score_once_and_the_top_score_in_the_last_bin():
    bins = histogram([0, 4.99, 5, 25, 49.9, 50, 50], 50)
    assert len(bins) == 10 and sum(b["count"] for b in bins) == 7
    assert [b["count"] for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 3]


def test_the_class_page_draws_the_histogram_and_links_each_report(tmp_path):
    run = fake_run(tmp_path, {"ann_1": {"classes": 5}, "bob_2": {"classes": 5},
                              "cy_3": {"fixture-forward": 16, "classes": 5}})
    summary = write_class_outputs(run, Options(), BatchOptions())
    html = render_class_html(summary, None)
    svg = html[html.index('<svg id="histogram"'):html.index("</svg>")]
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 10 and max(heights) == 180.0
    assert sorted(h for h in heights if h) == [90.0, 180.0]
    for student in summary.students:
        assert f'href="students/{student.key}/report.html"' in html
        assert (tmp_path / "out" / student.report).is_file()
    assert "readme.txt does not follow" in html


def test_failures_are_grouped_under_the_misconception_the_comparison_named():
    message = ("output of s: largest difference 3.5 at index [], tolerance 1e-05 + "
               "0.0001·|expected|. The difference is a factor 0.5: λ/2 · ‖W‖² where the "
               "contract says λ · ‖W‖².")
    expected = "λ/2 · ‖W‖² where the contract says λ · ‖W‖²"
    assert failure_name(message) == (expected, True)
    plain = "output of t: shape (2, 2), expected (2, 1)"
    assert failure_name(plain) == ("output of t: shape (#, #), expected (#, #)", False)


def test_a_misconception_met_with_other_sizes_is_one_failure_of_several_students():
    def row(key: str, features: int, case: str) -> StudentRow:
        message = (f"output of L: largest difference 1.5 at index [], tolerance 1e-05 + "
                   f"0.0001·|expected|. The difference is a factor {1 / features:g}: averaged "
                   f"over the {features} features as well where the contract sums them.")
        return StudentRow(key, key, "", "graded", 40, 50, False, "", {},
                          [{"check": "hidden-forward", "case": case, "message": message},
                           {"check": "classes", "case": "Sum", "message": f"{key} broke"}])

    [first, *others] = frequent_failures([row("ann", 2, "mse/a"), row("bob", 3, "mse/b")],
                                         {"hidden-forward": "Hidden"})
    assert (first.count, first.misconception, first.checks) == (2, True, ["Hidden"])
    assert first.name.startswith("averaged over the 2 features")
    assert first.cases == ["mse/a", "mse/b"] and first.students == ["ann", "bob"]
    assert [o.count for o in others] == [1, 1]


def test_the_summary_is_the_record_it_was_rendered_from(tmp_path):
    run = fake_run(tmp_path, {"ann_1": {"classes": 5}})
    summary = write_class_outputs(run, Options(), BatchOptions(assignment="Lab 1"))
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written == json.loads(json.dumps(asdict(summary)))
    assert written["assignment"] == "Lab 1" and written["students"][0]["score"] == 5
