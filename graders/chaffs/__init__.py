"""The chaffs: wrong variants of the reference library that the student's tests should catch.

Each stage has a data file here (``forward.toml``, ``backward.toml``); every chaff in it is
one text replacement in reference/layers.py or reference/network.py, with the one-sentence
misconception it stands for.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

CHAFFS = Path(__file__).resolve().parent
REFERENCE = CHAFFS.parent.parent / "reference"
LIBRARY_FILES = ("layers.py", "network.py")


class ChaffError(ValueError):
    """A chaff file that cannot be applied to the reference; the message says how to fix it."""


@dataclass(frozen=True)
class Chaff:
    """One wrong variant of the reference library."""

    id: str
    """Short, unique over both stages, e.g. ``linear-no-bias``."""
    stage: str
    layer: str
    """The class the mistake sits in (``Layer`` for the base class every layer shares)."""
    misconception: str
    """The mistake in one sentence, as the report shows it."""
    file: str
    """``layers.py`` or ``network.py``."""
    old: str
    new: str

    def sources(self, reference: dict[str, str]) -> dict[str, str]:
        """The changed file's text, by module name (``{"layers": ...}``)."""
        text = reference[self.file]
        found = text.count(self.old)
        if found != 1:
            raise ChaffError(
                f"graders/chaffs/{self.stage}.toml: chaff {self.id!r} replaces a text that "
                f"occurs {found} times in reference/{self.file}; it must occur exactly once: "
                f"update its 'old' to the reference's current text")
        return {self.file.removesuffix(".py"): text.replace(self.old, self.new)}


def reference_sources(folder: Path = REFERENCE) -> dict[str, str]:
    """The reference library's files, by file name."""
    return {name: (Path(folder) / name).read_text(encoding="utf-8") for name in LIBRARY_FILES}


def load_chaffs(stage: str, folder: Path = CHAFFS) -> list[Chaff]:
    """The chaffs of ``stage``, in the order of its file; ChaffError on a malformed entry."""
    path = Path(folder) / f"{stage}.toml"
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("chaff", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ChaffError(f"{path}: cannot read it ({error})") from error
    chaffs, seen = [], set()
    fields = ("id", "layer", "misconception", "file", "old", "new")
    for number, entry in enumerate(entries, 1):
        missing = [name for name in fields if not isinstance(entry.get(name), str)
                   or not entry[name].strip()]
        if missing:
            raise ChaffError(f"{path}: chaff number {number} lacks {', '.join(missing)}; "
                             f"every chaff needs {', '.join(fields)}")
        if entry["file"] not in LIBRARY_FILES:
            raise ChaffError(f"{path}: chaff {entry['id']!r} changes {entry['file']!r}; use "
                             f"one of {', '.join(LIBRARY_FILES)}")
        if entry["id"] in seen:
            raise ChaffError(f"{path}: two chaffs are named {entry['id']!r}; give each its "
                             f"own id")
        seen.add(entry["id"])
        chaffs.append(Chaff(stage=stage, **{name: entry[name] for name in fields}))
    return chaffs
