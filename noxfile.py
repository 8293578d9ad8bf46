"""Every routine task of the project. `nox` alone runs what CI runs."""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "typecheck", "check-generated", "tests", "sweep-ci", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
OVERLAY_SOURCES = ["overlay", "tests", "scripts", "benchmarks", "noxfile.py"]


def group(name: str) -> list[str]:
    return nox.project.dependency_groups(PYPROJECT, name)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite, HTTP replayed from cassettes (no network)."""
    session.install("-e", ".", *group("test"), *group("generate"))
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and format --check over our code (not generated/)."""
    session.install(*group("lint"))
    session.run("ruff", "check", *OVERLAY_SOURCES)
    session.run("ruff", "format", "--check", *OVERLAY_SOURCES)


@nox.session(python=PYTHON)
def fmt(session: nox.Session) -> None:
    """Apply ruff's fixes and formatting."""
    session.install(*group("lint"))
    session.run("ruff", "check", "--fix", *OVERLAY_SOURCES)
    session.run("ruff", "format", *OVERLAY_SOURCES)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the overlay, and on the generated packages."""
    session.install("-e", ".", *group("typecheck"))
    session.run("mypy", "overlay/twilio_rest_core", "overlay/twilio_studio_steps")
    session.run("mypy", "generated")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site (docs/, mkdocs.yml) strictly: a broken link or API
    reference fails. `nox -s docs -- serve` serves it on 127.0.0.1:8000 instead."""
    session.install("-e", ".", *group("docs"))
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", "--dev-addr", "127.0.0.1:8000")
        return
    site = Path(session.create_tmp()) / "site"
    session.run("mkdocs", "build", "--strict", "--site-dir", str(site))


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Rewrite generated/ from spec/ with the pinned generator and ruff."""
    session.install(*group("generate"))
    session.run("python", "scripts/generate.py")


@nox.session(name="check-generated", python=PYTHON)
def check_generated(session: nox.Session) -> None:
    """Fail, naming the files, when generated/ differs from what spec/ produces."""
    session.install(*group("generate"))
    session.run("python", "scripts/generate.py", "--check")


@nox.session(name="update-spec", python=PYTHON)
def update_spec(session: nox.Session) -> None:
    """Re-extract spec/ from a new upstream Twilio spec, say what changed, regenerate, test.

    nox -s update-spec -- PATH/TO/twilio_studio_v2.json [--service studio_v2_steps]
    """
    if not session.posargs or session.posargs[0].startswith("-"):
        session.error(
            "give the upstream spec: nox -s update-spec -- PATH/TO/twilio_studio_v2.json"
            " [--service NAME]"
        )
    session.install("-e", ".", *group("test"), *group("generate"))
    # nox runs in the noxfile's folder: a relative PATH is relative to where it was invoked.
    where = ("--relative-to", session.invoked_from)
    session.run("python", "scripts/update_spec.py", *where, *session.posargs)
    session.run("python", "scripts/generate.py")
    session.run("pytest")


@nox.session(name="add-service", python=PYTHON)
def add_service(session: nox.Session) -> None:
    """Add a service with every operation of one of Twilio's specs, and generate it (run on
    a service that exists, regenerate it); it does not run the tests.

    nox -s add-service -- PATH/TO/twilio_X.json [--operations ID ...]
    """
    if not session.posargs or session.posargs[0].startswith("-"):
        session.error("give the spec: nox -s add-service -- PATH/TO/twilio_X.json")
    session.install("-e", ".", *group("generate"))
    where = ("--relative-to", session.invoked_from)
    session.run("python", "scripts/add_service.py", *where, *session.posargs)


@nox.session(python=PYTHON)
def sweep(session: nox.Session) -> None:
    """Every spec in ../shared/upstream/ (or those given) generated, type-checked and each
    operation called, in a scratch folder: a table per spec and per kind (docs/sweep.md).

    nox -s sweep [-- SPEC.json ... --table docs/sweep.md] [--server prism]

    `--server prism` calls Stoplight Prism instead of the stand-in (installed from npm
    into ~/.cache/twilio-sweep-prism on first use); give `--server` twice for both.
    """
    session.install("-e", ".", *group("typecheck"), *group("generate"))
    session.run("python", "scripts/sweep.py", *session.posargs)


@nox.session(name="sweep-ci", python=PYTHON)
def sweep_ci(session: nox.Session) -> None:
    """The sweep over the specs kept in tests/data/upstream/ (Studio, Serverless, Api v2010,
    Conversations): CI's proof that they generate, type-check and call."""
    session.install("-e", ".", *group("typecheck"), *group("generate"))
    specs = sorted(str(p) for p in Path("tests/data/upstream").glob("twilio_*.json"))
    session.run("python", "scripts/sweep.py", "--require-all", *specs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks (benchmarks/README.md); twilio-python is installed here only.

    The listing scenarios (run.py), then the trace and adaptive-concurrency ones
    (traces.py); `-- --quick` runs both at tiny sizes."""
    session.install(".", *group("bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
    quick = ["--quick"] if "--quick" in session.posargs else []
    session.run("python", "benchmarks/traces.py", *quick)


@nox.session(python=PYTHON)
def audit(session: nox.Session) -> None:
    """Known vulnerabilities in the runtime dependencies (needs the package index)."""
    session.install(*group("audit"))
    requirements = Path(session.create_tmp()) / "runtime.txt"
    requirements.write_text("\n".join(PYPROJECT["project"]["dependencies"]) + "\n")
    session.run("pip-audit", "--requirement", str(requirements), "--progress-spinner", "off")
