"""Classes of submissions made for the tests: student folders and Canvas-style zips."""

import shutil
import zipfile
from pathlib import Path

from support import ROOT

REFERENCE = ROOT / "reference"
TEMPLATE = ROOT / "student_template"
BUGGY = ROOT / "tests" / "submissions" / "buggy_forward"

ENDLESS_FORWARD = '''

def _forever(self, *args, **kwargs):
    while True:
        pass


Linear.forward = _forever
'''


def copy_submission(source: Path, target: Path, tests: bool = True) -> Path:
    """A student's folder holding the .py files of ``source`` (without its tests if not
    ``tests``: grading the student's own tests is most of the time of a grading)."""
    target.mkdir(parents=True)
    for path in source.glob("*.py"):
        if tests or not path.name.startswith("test_"):
            shutil.copyfile(path, target / path.name)
    return target


def endless_submission(target: Path) -> Path:
    """The reference without tests, except that Linear.forward never returns."""
    copy_submission(REFERENCE, target, tests=False)
    with open(target / "layers.py", "a", encoding="utf-8") as layers:
        layers.write(ENDLESS_FORWARD)
    return target


def canvas_name(name: str, user_id: int, submission_id: int, file: str,
                late: bool = False) -> str:
    """A file's name in Canvas's submissions download."""
    return f"{name}_{'late_' if late else ''}{user_id}_{submission_id}_{file}"


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def canvas_class_zip(path: Path) -> Path:
    """Three students as Canvas downloads them, one file at a time.

    smithalice (1001): the reference; her first network.py did not compile, she uploaded it
    again (network-1.py), and the newer one must be graded.
    jonesbob (1002): the buggy sample, layers.py uploaded late.
    leecarol (1003): the handed-out template.
    A stray file that is not a student's upload lies beside them.
    """
    reference = {p.name: p.read_bytes() for p in REFERENCE.glob("*.py")}
    buggy = {p.name: p.read_bytes() for p in BUGGY.glob("*.py")}
    template = {p.name: p.read_bytes() for p in TEMPLATE.glob("*.py")}
    files = {"instructions.txt": b"not a submission"}
    for name, content in reference.items():
        if name != "network.py":
            files[canvas_name("smithalice", 1001, 5001, name)] = content
    files[canvas_name("smithalice", 1001, 5001, "network.py")] = b"class Network(:\n"
    files[canvas_name("smithalice", 1001, 5002, "network-1.py")] = reference["network.py"]
    for name, content in buggy.items():
        files[canvas_name("jonesbob", 1002, 5003, name, late=name == "layers.py")] = content
    for name, content in template.items():
        files[canvas_name("leecarol", 1003, 5004, name)] = content
    return write_zip(path, files)
