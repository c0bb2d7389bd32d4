"""Sessions of the lab: `nox -l` lists them, `nox -s check` grades lab/ (see README.md)."""

import sys

import nox

nox.options.sessions = ["check"]
nox.options.reuse_venv = "yes"


@nox.session
def check(session: nox.Session) -> None:
    """Grade lab/ with the public checks, write the report: nox -s check -- [--stage S] [PATH]."""
    if not sys.platform.startswith("linux"):
        session.error(f"The checks run on Linux only, not on {sys.platform}: on Windows use "
                      f"WSL 2, on macOS a Linux virtual machine or container (README.md, "
                      f"'Where the checks run').")
    if sys.version_info < (3, 11):
        session.error(f"The checks need Python 3.11 or newer; nox runs Python "
                      f"{sys.version.split()[0]}. Install nox with a newer Python.")
    session.install("-r", "requirements.txt")
    session.run("python", "-m", "graders", *session.posargs)
