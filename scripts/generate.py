"""Regenerate (or drift-check) every package under generated/ from spec/.

    python scripts/generate.py            # rewrite generated/ from spec/
    python scripts/generate.py --check    # exit 1 and name the files that drifted

Each folder spec/<service>/ holding openapi.json and generator.yaml becomes
generated/<package>/, where <package> is the config's package_name_override. The
generator runs into a scratch folder first, so the result never depends on what an
older generation left behind, and the copy in generated/ is replaced whole.
Run it through `nox -s generate`, which installs the pinned generator and ruff.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
GENERATED = ROOT / "generated"
TEMPLATES = SPEC / "templates"
IGNORED = {"__pycache__", ".ruff_cache", ".mypy_cache"}


def services() -> list[tuple[Path, str]]:
    """(spec folder, package name) for every fragment under spec/."""
    found = []
    for folder in sorted(SPEC.iterdir()):
        config = folder / "generator.yaml"
        if not (folder / "openapi.json").is_file() or not config.is_file():
            continue
        match = re.search(r"^package_name_override:\s*(\w+)\s*$", config.read_text(), re.M)
        if not match:
            sys.exit(f"{config}: package_name_override is required")
        found.append((folder, match.group(1)))
    if not found:
        sys.exit("no spec/<service>/openapi.json with a generator.yaml found")
    return found


def generate_into(folder: Path, package: str, out: Path) -> Path:
    target = out / package
    env = dict(os.environ, NO_COLOR="1")
    cmd = [
        "openapi-python-client",
        "generate",
        "--path",
        str(folder / "openapi.json"),
        "--config",
        str(folder / "generator.yaml"),
        "--custom-template-path",
        str(TEMPLATES),
        "--meta",
        "none",
        "--output-path",
        str(target),
        "--fail-on-warning",
    ]
    result = subprocess.run(cmd, check=False, cwd=out, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not target.is_dir():
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"generation failed for {folder.relative_to(ROOT)}")
    # PEP 561 marker: with --meta none the generator writes none, and the wheel ships
    # these packages to type-checked code.
    (target / "py.typed").write_text("")
    for junk in target.rglob("*"):
        if junk.name in IGNORED and junk.is_dir():
            shutil.rmtree(junk)
    return target


def tree(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not IGNORED & set(p.relative_to(root).parts)
    }


def drift(expected: Path, actual: Path) -> list[str]:
    """Human-readable lines naming every file that differs between two trees."""
    want, have = tree(expected), tree(actual) if actual.is_dir() else set()
    lines = [f"missing:  {name}" for name in sorted(want - have)]
    lines += [f"stray:    {name}" for name in sorted(have - want)]
    lines += [
        f"modified: {name}"
        for name in sorted(want & have)
        if not filecmp.cmp(expected / name, actual / name, shallow=False)
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report drift")
    args = parser.parse_args(argv)

    known = {package for _, package in services()}
    # Anything in generated/ that no spec/ folder makes: an old package, a loose file.
    strays = (
        sorted(p for p in GENERATED.iterdir() if p.name not in known | IGNORED)
        if GENERATED.is_dir()
        else []
    )
    problems: list[str] = [
        f"stray:    generated/{p.name}{'/' if p.is_dir() else ''} (no spec/ folder makes it)"
        for p in strays
    ]

    with tempfile.TemporaryDirectory() as scratch:
        for folder, package in services():
            fresh = generate_into(folder, package, Path(scratch))
            current = GENERATED / package
            if args.check:
                problems += [
                    f"{line[:10]}generated/{package}/{line[10:]}" for line in drift(fresh, current)
                ]
            else:
                shutil.rmtree(current, ignore_errors=True)
                shutil.copytree(fresh, current)
                print(f"generated/{package}/ <- {folder.relative_to(ROOT)}/")
    if not args.check:
        for stray in strays:
            if stray.is_dir():
                shutil.rmtree(stray)
            else:
                stray.unlink()
            print(f"removed stray generated/{stray.name}")
        return 0
    if problems:
        print("generated/ does not match what spec/ produces:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        print("Run `nox -s generate` (never edit generated/ by hand).", file=sys.stderr)
        return 1
    print("generated/ matches spec/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
