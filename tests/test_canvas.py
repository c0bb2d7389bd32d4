"""Reading a class: Canvas's flat downloads, folders of students, and zips read safely."""

import csv
import json
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from classgen import (BUGGY, REFERENCE, canvas_class_zip, canvas_name, copy_submission,
                      write_zip)
from graders.canvas import (ClassInputError, ZipLimits, extract_zip, is_class,
                            parse_canvas_name, read_class)
from graders.intake import file_hashes
from support import ROOT


# Canvas's file names


@pytest.mark.parametrize("name, expected", [
    ("smithalice_1001_5001_network.py", ("smithalice", "1001", False, "network.py", 0)),
    ("smithalice_late_1001_5001_layers.py", ("smithalice", "1001", True, "layers.py", 0)),
    ("smithalice_1001_5002_network-2.py", ("smithalice", "1001", False, "network.py", 2)),
    ("smithalice_1001_5001_test_linear.py", ("smithalice", "1001", False, "test_linear.py", 0)),
    ("smithalice_1001_5001_lab-1.ipynb", ("smithalice", "1001", False, "lab.ipynb", 1)),
])
def test_canvas_names_are_taken_apart(name, expected):
    parsed = parse_canvas_name(Path(name))
    assert (parsed.name, parsed.user_id, parsed.late, parsed.original, parsed.version) == \
        expected


@pytest.mark.parametrize("name", ["network.py", "readme.txt", "smith_network.py",
                                  "smith_12_network.py"])
def test_names_that_are_not_canvas_downloads_are_not_parsed(name):
    assert parse_canvas_name(Path(name)) is None


def canvas_folder(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def test_the_newest_upload_of_each_file_is_used_and_late_files_are_noted(tmp_path):
    flat = canvas_folder(tmp_path / "download", {
        canvas_name("smithalice", 1001, 5001, "network.py"): b"first",
        canvas_name("smithalice", 1001, 5002, "network-1.py"): b"second",
        canvas_name("smithalice", 1001, 5003, "network-2.py", late=True): b"third",
        canvas_name("smithalice", 1001, 5001, "layers.py"): b"layers",
        canvas_name("jonesbob", 1002, 5004, "layers.py"): b"bob",
    })
    before = file_hashes(flat)
    found = read_class(flat, tmp_path / "staging")
    assert file_hashes(flat) == before
    assert found.kind == "canvas"
    alice, bob = sorted(found.students, key=lambda s: s.name)[::-1]
    assert (alice.name, alice.user_id, alice.late) == ("smithalice", "1001", True)
    assert (alice.path / "network.py").read_bytes() == b"third"
    assert (alice.path / "layers.py").read_bytes() == b"layers"
    used = {f["file"]: f for f in alice.files}
    assert used["network.py"]["from"] == canvas_name("smithalice", 1001, 5003, "network-2.py",
                                                     late=True)
    assert len(used["network.py"]["replaced"]) == 2
    assert any("network.py was submitted late" in note for note in alice.notes)
    assert not bob.late and (bob.path / "layers.py").read_bytes() == b"bob"


def test_a_zip_a_student_uploaded_is_unpacked_into_their_folder(tmp_path):
    inner = write_zip(tmp_path / "inner.zip", {"lab/layers.py": b"x = 1\n",
                                               "../escape.py": b"y = 2\n"})
    flat = canvas_folder(tmp_path / "download", {
        canvas_name("smithalice", 1001, 5001, "lab.zip"): inner.read_bytes()})
    student = read_class(flat, tmp_path / "staging").students[0]
    assert (student.path / "lab" / "layers.py").read_text() == "x = 1\n"
    assert not (tmp_path / "staging" / "students" / "escape.py").exists()
    assert any("'../escape.py'" in note and "outside" in note for note in student.notes)


def test_stray_files_of_a_canvas_download_are_named_in_the_notes(tmp_path):
    flat = canvas_folder(tmp_path / "download", {
        canvas_name("smithalice", 1001, 5001, "layers.py"): b"",
        "instructions.txt": b""})
    found = read_class(flat, tmp_path / "staging")
    assert len(found.students) == 1
    assert any("instructions.txt does not follow Canvas's file names" in n for n in found.notes)


# Which inputs are classes


def test_a_single_submission_is_not_a_class_and_a_folder_of_them_is(tmp_path):
    assert not is_class(REFERENCE)
    assert not is_class(ROOT / "tests" / "submissions" / "nested_folder")
    copy_submission(REFERENCE, tmp_path / "class" / "alice")
    assert not is_class(tmp_path / "class"), "one student folder reads as a nested upload"
    copy_submission(BUGGY, tmp_path / "class" / "bob")
    assert is_class(tmp_path / "class")
    canvas_folder(tmp_path / "flat", {canvas_name("a", 1, 2, "layers.py"): b""})
    assert is_class(tmp_path / "flat")
    assert is_class(write_zip(tmp_path / "class.zip", {"a/layers.py": b""}))


def test_a_zip_of_student_folders_inside_one_folder_is_read(tmp_path):
    archive = write_zip(tmp_path / "lab1.zip", {
        "lab1/alice/layers.py": b"", "lab1/alice/network.py": b"",
        "lab1/bob/submission/layers.py": b"", "lab1/__MACOSX/._alice": b""})
    found = read_class(archive, tmp_path / "staging")
    assert found.kind == "zip of folders"
    assert [s.key for s in found.students] == ["alice", "bob"]


def test_a_zip_of_one_submission_is_a_class_of_one(tmp_path):
    archive = write_zip(tmp_path / "alice_lab1.zip", {"layers.py": b"", "network.py": b""})
    found = read_class(archive, tmp_path / "staging")
    assert [(s.key, s.name) for s in found.students] == [("alice_lab1", "alice_lab1")]
    assert (found.students[0].path / "layers.py").is_file()


def test_a_path_that_is_no_class_is_refused_with_a_message(tmp_path):
    with pytest.raises(ClassInputError, match="no such file or folder"):
        read_class(tmp_path / "missing", tmp_path / "staging")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ClassInputError, match="not a zip file nor a folder"):
        read_class(tmp_path / "notes.txt", tmp_path / "staging")


# Reading zips safely


def test_entries_outside_the_folder_and_links_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as evil:
        evil.writestr("ok/layers.py", "x = 1\n")
        evil.writestr("../../outside.py", "bad")
        evil.writestr("/etc/absolute.py", "bad")
        evil.writestr("ok\\..\\..\\windows.py", "bad")
        link = zipfile.ZipInfo("ok/link.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        evil.writestr(link, "/etc/passwd")
    notes = extract_zip(archive, tmp_path / "out", ZipLimits())
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["evil.zip", "out/ok/layers.py"]
    assert len(notes) == 4
    assert any("'../../outside.py'" in n and "outside" in n for n in notes)
    assert any("absolute" in n for n in notes)
    assert any("symbolic link" in n for n in notes)


def test_a_zip_bomb_is_cut_at_the_limit(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
        for index in range(4):
            bomb.writestr(f"zeros{index}.bin", b"\0" * (3 * 1024 * 1024))
    assert archive.stat().st_size < 100_000
    notes = extract_zip(archive, tmp_path / "out", ZipLimits(total_mb=5, file_mb=4))
    sizes = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*"))
    assert sizes <= 5 * 1024 * 1024
    assert any("'zeros1.bin' unpacks to more than the 2.0 MB left" in n for n in notes)
    assert any("unpacking stopped after 5 MB" in n for n in notes)


def test_a_zip_with_too_many_entries_is_not_unpacked(tmp_path):
    archive = write_zip(tmp_path / "many.zip", {f"f{i}.py": b"" for i in range(30)})
    notes = extract_zip(archive, tmp_path / "out", ZipLimits(entries=20))
    assert not any((tmp_path / "out").iterdir())
    assert "30 entries, more than the 20 allowed" in notes[0]


class RawName(zipfile.ZipInfo):
    """An entry whose name is written as these bytes, without the UTF-8 flag."""

    def __init__(self, raw: bytes):
        super().__init__(raw.decode("cp437"))
        self.raw = raw

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits


def test_names_without_the_utf8_flag_are_read_as_utf8_or_kept(tmp_path):
    archive = tmp_path / "names.zip"
    with zipfile.ZipFile(archive, "w") as names:
        names.writestr(RawName("müller/layers.py".encode("utf-8")), "x = 1\n")
        names.writestr(RawName("caf\xe9.py".encode("latin-1")), "y = 2\n")
    extract_zip(archive, tmp_path / "out", ZipLimits())
    assert (tmp_path / "out" / "müller" / "layers.py").read_text() == "x = 1\n"
    assert len([p for p in (tmp_path / "out").iterdir() if p.suffix == ".py"]) == 1


# A Canvas zip graded end to end


def test_a_canvas_zip_is_graded_into_one_report_and_gradebook_row_per_student(tmp_path):
    archive = canvas_class_zip(tmp_path / "submissions.zip")
    before = archive.read_bytes()
    done = subprocess.run([sys.executable, "-m", "graders", str(archive), "--out",
                           str(tmp_path / "out"), "--device", "cpu", "--jobs", "2",
                           "--assignment", "Lab 1 (12345)"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert archive.read_bytes() == before
    out = tmp_path / "out"
    summary = json.loads((out / "summary.json").read_text())
    scores = {s["name"]: s for s in summary["students"]}
    assert set(scores) == {"smithalice", "jonesbob", "leecarol"}
    assert scores["smithalice"]["score"] == 50, "the newer network-1.py must be graded"
    assert 25 <= scores["jonesbob"]["score"] <= 38
    assert scores["leecarol"]["score"] == 0
    assert scores["jonesbob"]["late"] and not scores["smithalice"]["late"]
    for student in summary["students"]:
        report = json.loads((out / "students" / student["key"] / "grade.json").read_text())
        assert report["score"] == student["score"]
        assert (out / student["report"]).is_file()
    bob = json.loads((out / "students" / scores["jonesbob"]["key"] / "grade.json").read_text())
    assert any("layers.py was submitted late" in note for note in bob["notes"])
    alice = json.loads(
        (out / "students" / scores["smithalice"]["key"] / "grade.json").read_text())
    assert any("network-1.py" in note for note in alice["notes"])

    rows = list(csv.reader((out / "gradebook.csv").open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Lab 1 (12345)"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "50"
    students = {row[1]: row for row in rows[2:]}
    assert set(students) == {"1001", "1002", "1003"}
    assert students["1001"][0] == "smithalice" and students["1001"][5] == "50"
    assert students["1003"][5] == "0"
    assert any("instructions.txt" in note for note in summary["notes"])
