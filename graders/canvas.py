"""Read a whole class: one folder per student, a Canvas download, or a zip of either.

Canvas's "Download Submissions" zip is flat: each file a student uploaded is renamed
``<name>[_late]_<user id>_<submission id>_<file name>``, and a file uploaded again under the
same name gets a numbered suffix (``network-1.py``, ``network-2.py``). Each student's files
are gathered into a folder of their own under a staging folder, with the newest upload of
each file under its original name; the input is only read.

Zips are read entry by entry: absolute paths, ``..``, links and special files are refused,
and the number of entries and the bytes written are capped, so a crafted zip cannot write
outside the staging folder or fill the disk.
"""

import logging
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .intake import LIBRARY_FILES, SKIPPED_DIRS

log = logging.getLogger("tapegrade")

CANVAS_NAME = re.compile(r"^(?P<name>[^_]+)_(?:(?P<late>late)_)?(?P<user>\d+)_"
                         r"(?P<submission>\d+)_(?P<file>.+)$", re.IGNORECASE)
RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<number>\d+)(?P<suffix>\.[A-Za-z0-9]+)?$")
UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class ZipLimits:
    """How much one zip may unpack to."""

    entries: int = 10000
    """Entries (files and folders) in the zip."""
    total_mb: int = 512
    """Bytes written for the whole zip, in MiB."""
    file_mb: int = 64
    """Bytes written for one entry, in MiB."""


@dataclass
class Student:
    """One student's submission, gathered into a folder of its own for grading."""

    key: str
    """A unique, file-name-safe name: the folder of the student's reports."""
    name: str
    """The student's name as the input gives it (Canvas: the sortable name, lower case)."""
    path: Path
    """The folder that is graded (in the staging area for a Canvas download or a zip)."""
    user_id: str = ""
    """Canvas's user id, from the file names; empty for other inputs."""
    late: bool = False
    """Some file that was used was uploaded after the deadline."""
    files: list[dict] = field(default_factory=list)
    """For Canvas downloads, each file used: its name, the upload it came from, late."""
    notes: list[str] = field(default_factory=list)
    """What was refused or chosen while gathering the files, one sentence each."""


@dataclass
class ClassInput:
    """The students found in a class's input, and what was skipped there."""

    source: Path
    kind: str
    """"folders", "canvas" or "zip of folders"."""
    students: list[Student] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Files or entries that belong to no student or were refused, one sentence each."""


class ClassInputError(Exception):
    """The input cannot be read as a class; the message says why and what to do."""


# Which kind of input a path is


def _has_code(folder: Path) -> bool:
    """Library files or a notebook at the top of ``folder``."""
    return any((folder / name).is_file() for name in LIBRARY_FILES) or \
        any(p.suffix == ".ipynb" for p in folder.iterdir() if p.is_file())


def _submission_dirs(folder: Path) -> list[Path]:
    """Subfolders of ``folder`` that hold a submission (at their top or one folder down)."""
    found = []
    for child in _subfolders(folder):
        if _has_code(child) or any(_has_code(d) for d in _subfolders(child)):
            found.append(child)
    return found


def _subfolders(folder: Path) -> list[Path]:
    return [d for d in sorted(folder.iterdir()) if d.is_dir() and not d.is_symlink()
            and d.name not in SKIPPED_DIRS and not d.name.startswith(".")]


def _canvas_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.iterdir())
            if p.is_file() and not p.is_symlink() and CANVAS_NAME.match(p.name)]


def is_class(path: Path) -> bool:
    """Whether ``path`` holds a class rather than one submission.

    A zip, a folder of Canvas-named files, or a folder with two or more subfolders that each
    hold a submission. A folder with library files at its top is one submission, and so is a
    folder with a single submission folder inside (a student's nested upload).
    """
    path = Path(path)
    if path.is_file():
        return zipfile.is_zipfile(path)
    if not path.is_dir() or _has_code(path):
        return False
    return bool(_canvas_files(path)) or len(_submission_dirs(path)) >= 2


def read_class(path: Path, staging: Path, limits: ZipLimits | None = None) -> ClassInput:
    """The students of the class at ``path``; files are copied or unpacked into ``staging``."""
    path, limits = Path(path), limits or ZipLimits()
    if not path.exists():
        raise ClassInputError(f"{path}: no such file or folder; give a folder of submissions "
                              f"or a Canvas submissions zip")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise ClassInputError(f"{path}: not a zip file nor a folder; give a folder of "
                                  f"submissions or Canvas's submissions zip")
        unpacked = staging / "unpacked"
        notes = extract_zip(path, unpacked, limits)
        found = _read_folder(unpacked, staging / "students", limits, path)
        found.notes[:0] = notes
        if found.kind == "folders":
            found.kind = "zip of folders"
        return found
    return _read_folder(path, staging / "students", limits, path)


def _read_folder(folder: Path, staging: Path, limits: ZipLimits, source: Path) -> ClassInput:
    # A zip of a class often holds one folder around everything: look inside it.
    top = [p for p in folder.iterdir() if p.name not in SKIPPED_DIRS and
           not p.name.startswith(".")]
    if len(top) == 1 and top[0].is_dir() and not _has_code(top[0]) \
            and not _canvas_files(folder):
        folder = top[0]
    if _canvas_files(folder):
        return read_canvas(folder, staging, limits, source)
    found = ClassInput(source=source, kind="folders")
    if _has_code(folder):
        # One submission, e.g. a zip of a student's files: a class of one.
        name = source.stem if source.is_file() else source.name
        found.students.append(Student(key=_safe_key(name), name=name, path=folder))
        return found
    keys: set[str] = set()
    for child in _subfolders(folder):
        key = _unique(_safe_key(child.name), keys)
        found.students.append(Student(key=key, name=child.name, path=child))
    for loose in sorted(p for p in folder.iterdir()
                        if not p.is_dir() and not p.name.startswith(".")):
        found.notes.append(f"{loose.name} is not inside a student's folder; it was skipped")
    if not found.students:
        raise ClassInputError(f"{source}: no student folders were found; a class is a folder "
                              f"with one folder per student, or Canvas's submissions zip")
    return found


# Canvas downloads


@dataclass
class CanvasFile:
    """One file of a Canvas download, its name taken apart."""

    path: Path
    name: str
    user_id: str
    submission_id: int
    late: bool
    original: str
    """The name the student gave the file, without Canvas's re-submission suffix."""
    version: int
    """0 for the first upload under this name, N for the suffix -N."""


def parse_canvas_name(path: Path) -> CanvasFile | None:
    """The parts of a Canvas download's file name, or None when it does not follow them."""
    match = CANVAS_NAME.match(path.name)
    if match is None:
        return None
    original, version = match["file"], 0
    again = RESUBMITTED.match(original)
    if again:
        original = again["stem"] + (again["suffix"] or "")
        version = int(again["number"])
    return CanvasFile(path=path, name=match["name"], user_id=match["user"],
                      submission_id=int(match["submission"]), late=bool(match["late"]),
                      original=original, version=version)


def read_canvas(folder: Path, staging: Path, limits: ZipLimits,
                source: Path | None = None) -> ClassInput:
    """One folder per student from a flat Canvas download, the newest upload of each file."""
    found = ClassInput(source=source or folder, kind="canvas")
    by_student: dict[str, list[CanvasFile]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED_DIRS:
            continue
        parsed = parse_canvas_name(path) if path.is_file() and not path.is_symlink() else None
        if parsed is None:
            found.notes.append(f"{path.name} does not follow Canvas's file names "
                               f"(name_userid_submissionid_file); it was skipped")
            continue
        by_student.setdefault(parsed.user_id, []).append(parsed)

    keys: set[str] = set()
    for user_id, files in sorted(by_student.items(), key=lambda item: item[1][0].name):
        name = files[0].name
        key = _unique(_safe_key(f"{name}_{user_id}"), keys)
        student = Student(key=key, name=name, path=staging / key, user_id=user_id)
        student.path.mkdir(parents=True)
        for chosen, older in _newest_by_name(files):
            _place(chosen, student, limits)
            used = {"file": chosen.original, "from": chosen.path.name, "late": chosen.late,
                    "replaced": [f.path.name for f in older]}
            student.files.append(used)
            if older:
                student.notes.append(
                    f"{chosen.original}: the newest upload, {chosen.path.name}, was graded "
                    f"(earlier: {', '.join(f.path.name for f in older)})")
            if chosen.late:
                student.notes.append(f"{chosen.original} was submitted late "
                                     f"({chosen.path.name})")
        student.late = any(f["late"] for f in student.files)
        found.students.append(student)
    if not found.students:
        raise ClassInputError(f"{found.source}: no file follows Canvas's names "
                              f"(name_userid_submissionid_file)")
    return found


def _newest_by_name(files: list[CanvasFile]) -> list[tuple[CanvasFile, list[CanvasFile]]]:
    """For each original file name: the newest upload and the older ones, oldest first."""
    groups: dict[str, list[CanvasFile]] = {}
    for item in files:
        groups.setdefault(item.original, []).append(item)
    chosen = []
    for original in sorted(groups):
        ordered = sorted(groups[original], key=lambda f: (f.version, f.submission_id))
        chosen.append((ordered[-1], ordered[:-1]))
    return chosen


def _place(item: CanvasFile, student: Student, limits: ZipLimits) -> None:
    """Copy one upload into the student's folder; a zip the student uploaded is unpacked."""
    if item.original.lower().endswith(".zip") and zipfile.is_zipfile(item.path):
        # One student's zip may unpack to what one entry of the class's zip may.
        own = ZipLimits(entries=limits.entries, total_mb=limits.file_mb, file_mb=limits.file_mb)
        notes = extract_zip(item.path, student.path, own)
        student.notes.append(f"{item.original} was unpacked")
        student.notes += notes
        return
    target = student.path / item.original
    if "/" in item.original or item.original in (".", ".."):
        student.notes.append(f"{item.path.name}: the file name is not usable; it was skipped")
        return
    shutil.copyfile(item.path, target)


# Zips


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as the person who made the zip saw it, with / as the separator."""
    name = info.filename
    if not info.flag_bits & 0x800:
        # No UTF-8 flag: zipfile read the name as cp437, but most tools wrote UTF-8.
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def _refusal(name: str, info: zipfile.ZipInfo) -> str | None:
    """Why the entry may not be unpacked, or None."""
    mode = info.external_attr >> 16
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in name.split("/"):
        return "points outside the zip's folder (..)"
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: no type recorded
        return "is not a regular file"
    if "\x00" in name or any(not part.isprintable() for part in name.split("/")):
        return "has control characters in its name"
    return None


def extract_zip(archive: Path, target: Path, limits: ZipLimits) -> list[str]:
    """Unpack ``archive`` into ``target`` safely; one sentence per entry refused or cut."""
    notes: list[str] = []
    label = Path(archive).name
    total, budget = 0, limits.total_mb * 1024 * 1024
    target.mkdir(parents=True, exist_ok=True)
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        return [f"{label} could not be read as a zip ({error}); nothing was unpacked"]
    with zipped:
        entries = zipped.infolist()
        if len(entries) > limits.entries:
            return [f"{label} has {len(entries)} entries, more than the {limits.entries} "
                    f"allowed; nothing was unpacked"]
        seen: set[str] = set()
        for info in entries:
            name = _entry_name(info)
            parts = [p for p in name.split("/") if p not in ("", ".")]
            reason = _refusal(name, info)
            if reason is None and parts and parts[0] in SKIPPED_DIRS:
                continue
            if reason is None and "/".join(parts) in seen:
                reason = "appears twice"
            if reason:
                notes.append(f"{label}: the entry {name!r} {reason}; it was not unpacked")
                continue
            if info.is_dir() or not parts:
                continue
            seen.add("/".join(parts))
            destination = target.joinpath(*parts)
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                notes.append(f"{label}: the entry {name!r} lies under a file; it was skipped")
                continue
            left = min(limits.file_mb * 1024 * 1024, budget - total)
            written, problem = _copy_entry(zipped, info, destination, left)
            total += written
            if problem:
                destination.unlink(missing_ok=True)
                notes.append(f"{label}: the entry {name!r} {problem}; it was not unpacked "
                             f"(limits: {limits.file_mb} MB an entry, {limits.total_mb} MB "
                             f"the whole zip)")
            if total >= budget:
                notes.append(f"{label}: unpacking stopped after {limits.total_mb} MB; the "
                             f"entries after {name!r} were not unpacked")
                break
    for note in notes:
        log.warning("%s", note)
    return notes


def _copy_entry(zipped: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path,
                limit: int) -> tuple[int, str]:
    """Copy one entry, stopping past ``limit`` bytes; (bytes written, what went wrong)."""
    written = 0
    try:
        with zipped.open(info) as source, open(destination, "wb") as sink:
            while block := source.read(1 << 16):
                written += len(block)
                if written > limit:
                    return written, f"unpacks to more than the {limit / 2 ** 20:.1f} MB left"
                sink.write(block)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        return written, f"could not be unpacked ({type(error).__name__}: {error})"
    return written, ""


# Names


def _safe_key(text: str) -> str:
    key = UNSAFE_KEY.sub("_", text).strip("._")
    return key[:80] or "student"


def _unique(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}_{number}", number + 1
    taken.add(candidate)
    return candidate


def describe(found: ClassInput) -> str:
    """One line on what was read, for the log."""
    late = sum(s.late for s in found.students)
    text = f"{len(found.students)} students from {found.source} ({found.kind})"
    return text + (f", {late} with a late file" if late else "")

