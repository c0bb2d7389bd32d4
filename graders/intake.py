"""Find a submission's code and copy what grading needs into a private scratch folder.

The submission's own files are only ever read: hashed, copied, or parsed as notebooks.
"""

import hashlib
import io
import os
import shutil
import tempfile
import tokenize
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LIBRARY_FILES = ("layers.py", "layer.py", "network.py")
SKIPPED_DIRS = {"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints", "venv", ".venv",
                "env", "node_modules", ".idea", ".vscode"}
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
TEMPLATE = Path(__file__).resolve().parent.parent / "student_template"


class IntakeError(Exception):
    """The path cannot be graded at all; the message says why and what to do."""


@dataclass
class Submission:
    """What intake found in one submission folder."""

    name: str
    """The submission's name: its folder's name."""
    path: Path
    """The folder as given."""
    code_dir: Path | None
    """The folder holding the library (the submission or one folder down); None if not found."""
    scratch: Path
    """The private copy that the worker runs in."""
    modules: list[str] = field(default_factory=list)
    """Modules the worker imports, in order (layers or layer, network, notebook modules)."""
    test_files: list[str] = field(default_factory=list)
    """Test files, relative to the scratch folder, handed-out examples included."""
    handed_out: list[str] = field(default_factory=list)
    """Those of ``test_files`` that are unchanged copies of the template's examples."""
    hashes: dict[str, str] = field(default_factory=dict)
    """sha256 of every file of the submission, by relative path."""
    notes: list[str] = field(default_factory=list)
    """Things intake noticed and worked around, one plain sentence each."""
    overrides: dict = field(default_factory=dict)
    """The API mapping read from grading.toml, if any."""

    def cleanup(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def _walk(root: Path, depth: int = 3):
    """Regular files under ``root`` (no links followed), skipping tool folders."""
    for current, dirs, files in os.walk(root, followlinks=False):
        level = len(Path(current).relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and level < depth)
        for name in sorted(files):
            yield Path(current) / name


def printable(path: Path | str) -> str:
    """A path as text that can be written anywhere: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every regular file under ``root`` (links are recorded, not followed)."""
    hashes = {}
    for current, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(current) / name
            relative = printable(path.relative_to(root))
            if path.is_symlink():
                hashes[relative] = "symlink -> " + printable(os.readlink(path))
                continue
            digest = hashlib.sha256()
            with open(path, "rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
            hashes[relative] = digest.hexdigest()
    return hashes


def _find_code_dir(root: Path) -> Path | None:
    """The submission folder, or the one folder below it, that holds the library files."""
    def has_library(folder):
        return any((folder / name).is_file() and not (folder / name).is_symlink()
                   for name in LIBRARY_FILES)

    if has_library(root):
        return root
    below = [d for d in sorted(root.iterdir()) if d.is_dir() and not d.is_symlink()
             and d.name not in SKIPPED_DIRS and has_library(d)]
    return below[0] if below else None


def notebook_source(path: Path) -> str:
    """The code cells of a notebook as one Python file; IPython magics and shell lines dropped."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        try:
            compile(source, path.name, "exec")
        except SyntaxError:
            # IPython magics and shell lines are not Python; a line that only continues a
            # statement, such as "% (a, b)" after a format string, compiles and stays.
            source = "\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith(("%", "!")))
        parts.append(source)
    return "\n\n".join(parts) + "\n"


def _copy(source: Path, target: Path, notes: list[str], root: Path) -> bool:
    relative = source.relative_to(root)
    if source.is_symlink():
        notes.append(f"{relative} is a symbolic link; it was not copied")
        return False
    if source.stat().st_size > MAX_FILE_BYTES:
        notes.append(f"{relative} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB; "
                     f"it was not copied")
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return True


def _text_digest(content: bytes) -> str:
    """A digest of a text file that ignores line endings and a byte-order mark."""
    text = content.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    return hashlib.sha256(text).hexdigest()


def _is_test_file(name: str) -> bool:
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def load_submission(path: Path, config: Path | None = None) -> Submission:
    """Find the library in ``path``, copy it to a scratch folder and describe what was found."""
    path = Path(path)
    if not path.exists():
        raise IntakeError(f"{path}: no such file or folder; give the submission's folder")
    if not path.is_dir():
        raise IntakeError(f"{path}: not a folder; give the folder holding network.py and "
                          f"layers.py (or a notebook)")
    scratch = Path(tempfile.mkdtemp(prefix="tapegrade-submission-"))
    submission = Submission(name=printable(path.resolve().name), path=path, code_dir=None,
                            scratch=scratch)
    submission.hashes = file_hashes(path)

    code_dir = _find_code_dir(path)
    notebooks = [p for p in _walk(path, depth=1) if p.suffix == ".ipynb"]
    if code_dir is None and notebooks:
        code_dir = notebooks[0].parent
    submission.code_dir = code_dir
    if code_dir is not None and code_dir != path:
        submission.notes.append(f"the code was found one folder down, in "
                                f"{printable(code_dir.relative_to(path))}/")
    if code_dir is None:
        for link in (path / name for name in LIBRARY_FILES):
            if link.is_symlink():
                submission.notes.append(f"{link.name} is a symbolic link; it was not followed")
        submission.notes.append(
            "no network.py, layers.py or layer.py was found, nor a notebook; put them at the "
            "top of the submission (or one folder down)")
        return submission

    for source in _walk(code_dir, depth=1):
        name = printable(source.name)
        if not name.isascii() or not name.isprintable():
            submission.notes.append(f"the file name {name!r} is not plain text; it was skipped")
            continue
        relative = source.relative_to(code_dir)
        if source.suffix == ".py" or source.name == "grading.toml":
            _copy(source, scratch / relative, submission.notes, path)
        elif source.suffix == ".ipynb" and len(relative.parts) == 1:
            if source.stat().st_size > MAX_NOTEBOOK_BYTES:
                submission.notes.append(f"{relative} is larger than 20 MB; it was skipped")
                continue
            module = _notebook_module(source.stem)
            if (scratch / f"{module}.py").exists() or (code_dir / f"{module}.py").exists():
                continue
            try:
                (scratch / f"{module}.py").write_text(notebook_source(source), encoding="utf-8")
                submission.notes.append(f"{relative} was read as the module {module}")
            except Exception as error:  # nbformat raises many kinds on damaged files
                submission.notes.append(f"{relative} could not be read as a notebook ({error})")

    submission.notes += autograd_mentions(scratch)
    for name in ("layers", "layer", "network"):
        if (scratch / f"{name}.py").exists():
            submission.modules.append(name)
    for notebook in sorted(scratch.glob("nb_*.py")):
        if notebook.stem not in submission.modules:
            submission.modules.append(notebook.stem)
    submission.test_files = sorted(
        os.fsdecode(p.relative_to(scratch)) for p in scratch.rglob("*.py")
        if _is_test_file(p.name))
    examples = {_text_digest(p.read_bytes()) for p in TEMPLATE.glob("test_*.py")}
    submission.handed_out = [name for name in submission.test_files
                             if _text_digest((scratch / name).read_bytes()) in examples]
    submission.overrides = read_mapping(config or scratch / "grading.toml", submission.notes)
    return submission


AUTOGRAD_MARKS = ("torch.autograd", "requires_grad", "autograd.grad", ".retain_grad(")


def _code_lines(text: str) -> dict[int, str]:
    """Each line's code without its strings and comments (docstrings may name autograd)."""
    lines: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in (tokenize.STRING, tokenize.COMMENT):
                lines[token.start[0]] = lines.get(token.start[0], "") + token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return lines


def autograd_mentions(scratch: Path) -> list[str]:
    """A note for each library file line that uses torch.autograd, which the lab forbids."""
    notes = []
    for path in sorted(scratch.glob("*.py")):
        if _is_test_file(path.name):
            continue
        text = path.read_bytes().decode("utf-8-sig", "replace")
        source = text.splitlines()
        for number, code in sorted(_code_lines(text).items()):
            if any(mark in code for mark in AUTOGRAD_MARKS):
                line = source[number - 1].strip() if number <= len(source) else code
                notes.append(f"{path.name}, line {number} uses torch.autograd, which the lab "
                             f"forbids: {line[:120]}")
    return notes


def _notebook_module(stem: str) -> str:
    """The module name a notebook is imported as: layers/network if it is named so."""
    if stem in ("layers", "layer", "network"):
        return stem
    cleaned = "".join(c if c.isalnum() else "_" for c in stem.lower())
    return f"nb_{cleaned}"


def read_mapping(path: Path, notes: list[str]) -> dict:
    """The API mapping of a grading.toml, or {} when there is none or it cannot be read."""
    if not Path(path).is_file():
        return {}
    try:
        mapping = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        notes.append(f"{Path(path).name} is not valid TOML ({error}); it was ignored")
        return {}
    unknown = set(mapping) - {"classes", "params", "attributes"}
    if unknown:
        notes.append(f"{Path(path).name}: sections {sorted(unknown)} are not used; the mapping "
                     f"takes [classes], [params.<Layer>] and [attributes]")
    notes.append(f"the API mapping of {Path(path).name} was used")
    return {key: mapping[key] for key in ("classes", "params", "attributes") if key in mapping}
