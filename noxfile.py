"""Sessions of tapegrade: `nox -l` lists them."""

import nox

nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

PYTHON = "3.11"


def install(session: nox.Session, *extras: str) -> None:
    target = f".[{','.join(extras)}]" if extras else "."
    session.install("-e", target)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite: reference vs fixtures and autograd, graders on sample submissions."""
    install(session, "train")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def grade(session: nox.Session) -> None:
    """Grade a submission folder: nox -s grade -- PATH [--stage S] [--device D] [--out DIR]."""
    install(session)
    session.run("python", "-m", "graders", *session.posargs)


@nox.session(python=PYTHON, default=False)
def train(session: nox.Session) -> None:
    """Train the reference library on digits: nox -s train -- [--data FASHION_DIR] [--out DIR]."""
    install(session, "train")
    session.run("python", "reference/client.py", *session.posargs)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Measure grading speed (medians): nox -s bench -- [--runs N] [--class-size N] [--jobs N]."""
    install(session)
    session.run("python", "-m", "graders.bench", *session.posargs)


@nox.session(python=PYTHON, default=False)
def gradescope_bundle(session: nox.Session) -> None:
    """Write Gradescope's autograder zip: nox -s gradescope_bundle -- [--stage S] [--out FILE]."""
    install(session)
    session.run("python", "-m", "graders.gradescope", "bundle", *session.posargs)


@nox.session(python=PYTHON, default=False)
def handout(session: nox.Session) -> None:
    """Write the students' zip (public checks, no solution): nox -s handout -- [--lab NAME]."""
    # The builder needs only the standard library: nothing to install.
    session.run("python", "-m", "graders.handout", *session.posargs)
