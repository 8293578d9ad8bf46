"""scripts/generate.py: spec/ -> generated/, reproducible, and the drift check."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from spec_scripts import (
    PATH_WITH_VENV,
    ROOT,
    SERVICES,
    SPEC_DIR,
    generate,
    needs_generator,
    run,
)

# -- generation --------------------------------------------------------------------------


def packages_named_by_the_generator_configs() -> set[str]:
    """package_name_override of every spec/*/generator.yaml, read without scripts/generate.py."""
    found = set()
    for config in SPEC_DIR.glob("*/generator.yaml"):
        names = re.findall(
            r"^package_name_override:\s*(\w+)\s*$", config.read_text(encoding="utf-8"), re.M
        )
        assert len(names) == 1, f"{config}: {names}"
        found.add(names[0])
    return found


def test_every_service_has_a_generated_package() -> None:
    packages = packages_named_by_the_generator_configs()
    assert {"studio_v2_steps_api", "serverless_v1_services_api"} <= packages
    assert len(packages) == len(SERVICES)
    assert {pkg for _, pkg in generate.services()} == packages
    committed = {p.name for p in (ROOT / "generated").iterdir() if p.name not in generate.IGNORED}
    assert committed == packages


@needs_generator
def test_generation_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", PATH_WITH_VENV)
    trees = []
    for seed, folder in [("0", "first"), ("4242", "second-with-another-name")]:
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        out = tmp_path / folder
        out.mkdir()
        trees.append({pkg: generate.generate_into(f, pkg, out) for f, pkg in generate.services()})
        assert {p.name for p in out.iterdir()} == set(trees[-1])
    first, second = trees
    assert set(first) == set(second) == packages_named_by_the_generator_configs()
    for package in first:
        assert len(generate.tree(first[package])) > 5
        assert generate.tree(first[package]) == generate.tree(second[package])
        assert generate.drift(first[package], second[package]) == []
        # ... and it is what generated/ holds.
        assert generate.drift(first[package], ROOT / "generated" / package) == []


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache")
    for name in ("spec", "scripts", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    return tmp_path


@needs_generator
def test_drift_check_names_edited_stray_and_missing_files(repo_copy: Path) -> None:
    check = ("scripts/generate.py", "--check")
    clean = run(*check, cwd=repo_copy)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == "generated/ matches spec/\n"

    package = repo_copy / "generated" / "studio_v2_steps_api"
    with (package / "models" / "execution_step.py").open("a", encoding="utf-8") as file:
        file.write("# edited by hand\n")
    (package / "stray_module.py").write_text("x = 1\n", encoding="utf-8")
    (package / "operations.py").unlink()
    dirty = run(*check, cwd=repo_copy)
    assert dirty.returncode == 1
    assert "missing:  generated/studio_v2_steps_api/operations.py" in dirty.stderr
    assert "stray:    generated/studio_v2_steps_api/stray_module.py" in dirty.stderr
    assert "modified: generated/studio_v2_steps_api/models/execution_step.py" in dirty.stderr
    named = [line for line in dirty.stderr.splitlines() if "generated/studio_v2_steps_api/" in line]
    assert len(named) == 3

    fixed = run("scripts/generate.py", cwd=repo_copy)
    assert fixed.returncode == 0, fixed.stderr
    assert run(*check, cwd=repo_copy).returncode == 0
    assert not (package / "stray_module.py").exists()
