"""scripts/update_spec.py: re-extract every fragment from a new upstream, say what changed."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from spec_scripts import (
    CONFIG,
    EXPECTED_CHANGES,
    SCRIPTS,
    SERVERLESS,
    SERVICE_FIELD_REMOVED,
    SERVICES,
    SERVICES_CONFIG,
    SPEC_DIR,
    STEPS_PATH,
    STUDIO,
    UPSTREAM_DIR,
    extract_fragment,
    modified_upstream,
    read_json,
    run,
    serverless_without,
    upstream_name,
)

# -- update_spec.py ----------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the repository's spec/ folder, with an empty test-data folder."""
    shutil.copytree(SPEC_DIR, tmp_path / "spec")
    (tmp_path / "data").mkdir()
    return tmp_path


def update_spec(workspace: Path, upstream: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/update_spec.py on `upstream` over the workspace's spec/ and data folders."""
    return run(
        SCRIPTS / "update_spec.py",
        upstream,
        "--spec-dir",
        workspace / "spec",
        "--data-dir",
        workspace / "data",
        *extra,
    )


def update_report(name: str, summaries: dict[str, str] | None = None) -> str:
    """What update_spec.py prints, service by service, for an upstream file called `name`.

    A service cut from `name` gets its summary (`summaries[folder]`, else "no change"); every
    other service gets a line saying it was skipped and why.
    """
    lines = []
    for folder in SERVICES:
        expected = upstream_name(folder)
        if expected == name:
            summary = (summaries or {}).get(folder.name, "no change")
            lines += [f"spec/{folder.name}/openapi.json:", summary]
        else:
            lines.append(
                f"spec/{folder.name}: skipped (its extract.json expects {expected}, not {name})"
            )
    return "".join(line + "\n" for line in lines)


def spec_files(spec: Path) -> dict[str, bytes]:
    return {
        p.relative_to(spec).as_posix(): p.read_bytes()
        for p in sorted(spec.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def assert_spec_untouched(workspace: Path, *, except_: str | None = None) -> None:
    """Every file of the workspace's spec/ is still the repository's (bar `except_`)."""
    have, want = spec_files(workspace / "spec"), spec_files(SPEC_DIR)
    if except_ is not None:
        assert have.pop(except_) != want.pop(except_)
    assert have == want


UPSTREAM_NAMES = sorted({upstream_name(folder) for folder in SERVICES})


@pytest.mark.parametrize("name", UPSTREAM_NAMES)
def test_update_spec_from_the_unmodified_upstream_changes_nothing(
    workspace: Path, name: str
) -> None:
    source = UPSTREAM_DIR / name
    mtimes = {p: p.stat().st_mtime_ns for p in (workspace / "spec").glob("*/openapi.json")}
    result = update_spec(workspace, source)
    assert result.returncode == 0, result.stderr
    copy_path = workspace / "data" / name
    assert result.stdout == update_report(name) + f"copied {name} to {copy_path}\n"
    assert "wrote" not in result.stdout
    assert_spec_untouched(workspace)
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert [p.name for p in (workspace / "data").iterdir()] == [name]
    assert copy_path.read_bytes() == source.read_bytes()


def test_update_spec_from_the_unmodified_studio_upstream_says_so(workspace: Path) -> None:
    result = update_spec(workspace, STUDIO)
    assert result.returncode == 0, result.stderr
    assert "spec/studio_v2_steps/openapi.json:\nno change\n" in result.stdout
    assert (
        "spec/serverless_v1_services: skipped (its extract.json expects "
        "twilio_serverless_v1.json, not twilio_studio_v2.json)\n"
    ) in result.stdout


def test_update_spec_from_a_modified_upstream_rewrites_the_fragment(
    workspace: Path, upstream: dict[str, Any]
) -> None:
    new_upstream = workspace / "download" / STUDIO.name
    new_upstream.parent.mkdir()
    new_upstream.write_text(json.dumps(modified_upstream(upstream)), encoding="utf-8")
    target = workspace / "spec" / "studio_v2_steps" / "openapi.json"

    result = update_spec(workspace, new_upstream, "--service", "studio_v2_steps")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "spec/studio_v2_steps/openapi.json:\n"
        f"{EXPECTED_CHANGES}\n"
        "wrote spec/studio_v2_steps/openapi.json\n"
        f"copied {STUDIO.name} to {workspace / 'data' / STUDIO.name}\n"
    )
    expected = extract_fragment.extract(modified_upstream(upstream), read_json(CONFIG))
    assert target.read_text(encoding="utf-8") == extract_fragment.dump(expected)
    assert (workspace / "data" / STUDIO.name).read_bytes() == new_upstream.read_bytes()
    # The rest of spec/ (the other services included) is untouched.
    assert_spec_untouched(workspace, except_="studio_v2_steps/openapi.json")

    # Again, for all services: the studio fragment is now current; every service cut from
    # another upstream is skipped, saying so.
    again = update_spec(workspace, new_upstream)
    assert again.returncode == 0, again.stderr
    assert "spec/studio_v2_steps/openapi.json:\nno change\n" in again.stdout
    for folder in SERVICES:
        if upstream_name(folder) != STUDIO.name:
            assert (
                f"spec/{folder.name}: skipped (its extract.json expects "
                f"{upstream_name(folder)}, not {STUDIO.name})\n"
            ) in again.stdout
    assert "wrote spec/studio_v2_steps/" not in again.stdout
    assert "copied" not in again.stdout
    assert target.read_text(encoding="utf-8") == extract_fragment.dump(expected)


def test_update_spec_from_a_modified_serverless_upstream(workspace: Path) -> None:
    new_upstream = workspace / "download" / SERVERLESS.name
    new_upstream.parent.mkdir()
    new_upstream.write_text(json.dumps(serverless_without("unique_name")), encoding="utf-8")

    result = update_spec(workspace, new_upstream)
    assert result.returncode == 0, result.stderr
    wrote = "wrote spec/serverless_v1_services/openapi.json"
    assert result.stdout == update_report(
        SERVERLESS.name, {"serverless_v1_services": f"{SERVICE_FIELD_REMOVED}\n{wrote}"}
    ) + (f"copied {SERVERLESS.name} to {workspace / 'data' / SERVERLESS.name}\n")
    assert (
        "spec/studio_v2_steps: skipped (its extract.json expects twilio_studio_v2.json, "
        "not twilio_serverless_v1.json)\n"
    ) in result.stdout
    expected = extract_fragment.extract(
        serverless_without("unique_name"), read_json(SERVICES_CONFIG)
    )
    target = workspace / "spec" / "serverless_v1_services" / "openapi.json"
    assert target.read_text(encoding="utf-8") == extract_fragment.dump(expected)
    assert_spec_untouched(workspace, except_="serverless_v1_services/openapi.json")


def test_update_spec_skips_services_cut_from_another_upstream(workspace: Path) -> None:
    # (--relative-to is how `nox -s update-spec` passes the directory it was invoked from.)
    result = update_spec(workspace, Path(SERVERLESS.name), "--relative-to", str(UPSTREAM_DIR))
    assert result.returncode == 0, result.stderr
    assert (
        "spec/studio_v2_steps: skipped (its extract.json expects twilio_studio_v2.json, "
        "not twilio_serverless_v1.json)\n"
    ) in result.stdout
    assert "spec/serverless_v1_services/openapi.json:\nno change\n" in result.stdout
    copy_path = workspace / "data" / SERVERLESS.name
    assert result.stdout == update_report(SERVERLESS.name) + (
        f"copied {SERVERLESS.name} to {copy_path}\n"
    )
    assert_spec_untouched(workspace)
    # Only the upstream that was used is copied; the studio copy is not touched or made.
    assert list((workspace / "data").iterdir()) == [copy_path]
    assert copy_path.read_bytes() == SERVERLESS.read_bytes()


def test_update_spec_with_an_upstream_no_service_is_cut_from(workspace: Path) -> None:
    other = workspace / "twilio_voice_v1.json"
    shutil.copyfile(STUDIO, other)
    result = update_spec(workspace, other)
    assert result.returncode == 0, result.stderr
    assert result.stdout == update_report(other.name) + (
        "nothing to update: no service is cut from twilio_voice_v1.json\n"
    )
    assert "openapi.json:" not in result.stdout
    assert result.stdout.count(": skipped (") == len(SERVICES)
    assert_spec_untouched(workspace)
    assert list((workspace / "data").iterdir()) == []


def test_update_spec_fails_on_an_extraction_error(
    workspace: Path, upstream: dict[str, Any]
) -> None:
    broken = copy.deepcopy(upstream)
    del broken["paths"][STEPS_PATH]
    path = workspace / STUDIO.name
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = update_spec(workspace, path)
    assert result.returncode == 1
    assert "not found in the upstream spec: ListExecutionStep" in result.stderr
    assert_spec_untouched(workspace)
    assert list((workspace / "data").iterdir()) == []


def test_update_spec_rejects_an_unknown_service(workspace: Path) -> None:
    result = update_spec(workspace, STUDIO, "--service", "nope")
    assert result.returncode == 2
    assert "nope/extract.json" in result.stderr
