"""Shared by the tests of scripts/: paths, the scripts loaded as modules, sample changes."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
SPEC_DIR = ROOT / "spec"
STEPS_DIR = SPEC_DIR / "studio_v2_steps"
FRAGMENT = STEPS_DIR / "openapi.json"
CONFIG = STEPS_DIR / "extract.json"
UPSTREAM_DIR = ROOT / "tests" / "data" / "upstream"
STUDIO = UPSTREAM_DIR / "twilio_studio_v2.json"
SERVERLESS = UPSTREAM_DIR / "twilio_serverless_v1.json"
SERVICES_DIR = SPEC_DIR / "serverless_v1_services"
SERVICES_FRAGMENT = SERVICES_DIR / "openapi.json"
SERVICES_CONFIG = SERVICES_DIR / "extract.json"

STEPS_PATH = "/v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps"
STEP_SCHEMA = "studio.v2.flow.execution.execution_step"
SERVICE_SCHEMA = "serverless.v1.service"
VENV_BIN = str(Path(sys.executable).parent)
PATH_WITH_VENV = VENV_BIN + os.pathsep + os.environ.get("PATH", "")


def script(name: str) -> ModuleType:
    """Import scripts/<name>.py (once) under its own name, as the scripts import each other."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


lenient = script("lenient")
extract_fragment = script("extract_fragment")
spec_changes = script("spec_changes")
bindings = script("bindings")
generate = script("generate")
add_service = script("add_service")
prism_mock = script("prism_mock")  # before sweep, which imports it

needs_generator = pytest.mark.skipif(
    shutil.which("openapi-python-client", path=PATH_WITH_VENV) is None
    or shutil.which("ruff", path=PATH_WITH_VENV) is None,
    reason="openapi-python-client and ruff (the `generate` group) are not installed",
)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=PATH_WITH_VENV, NO_COLOR="1")
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextmanager
def added_service(
    root: Path, name: str, spec: dict[str, Any], *operations: str
) -> Iterator[tuple[Path, ModuleType]]:
    """`spec`, one of Twilio's as a test changed it, saved as `name` (twilio_X.json) and
    added by scripts/add_service.py under `root` with `operations` (all when none): its
    generated package's folder and clients module, importable until the block ends."""
    upstream = root / name
    upstream.write_text(json.dumps(spec))
    chosen = ["--operations", *operations] if operations else []
    result = run(SCRIPTS / "add_service.py", upstream, "--root", root, *chosen)
    assert result.returncode == 0, result.stderr
    generated = root / "generated"
    (package,) = [p.name for p in generated.iterdir() if (p / "clients.py").is_file()]
    sys.path.insert(0, str(generated))
    try:
        yield generated / package, importlib.import_module(package + ".clients")
    finally:
        sys.path.remove(str(generated))
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]


FRAGMENTS = sorted(SPEC_DIR.glob("*/openapi.json"))
# Every spec/<service>/ folder: what update_spec.py and generate.py work through.
SERVICES = sorted(
    {p.parent for p in SPEC_DIR.glob("*/extract.json")} | {p.parent for p in FRAGMENTS}
)


def upstream_name(folder: Path) -> str:
    """The upstream file spec/<service>/extract.json says its fragment is cut from."""
    name: str = read_json(folder / "extract.json")["upstream"]
    return name


def modified_upstream(upstream: dict[str, Any]) -> dict[str, Any]:
    """The studio spec with a few changes a user would notice (see EXPECTED_CHANGES)."""
    changed = copy.deepcopy(upstream)
    step = changed["components"]["schemas"][STEP_SCHEMA]["properties"]
    step["widget_version"] = {"type": "integer", "nullable": True, "description": "New."}
    del step["transitioned_to"]
    step["date_created"]["format"] = "date"
    step["name"]["nullable"] = False
    op = changed["paths"][STEPS_PATH]["get"]
    page = op["responses"]["200"]["content"]["application/json"]["schema"]
    page["properties"]["meta"]["properties"]["page_size"]["type"] = "string"
    page["properties"]["meta"]["properties"]["key"]["nullable"] = True
    op["parameters"].append(
        {"name": "Status", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    # Not user-visible: documentation only.
    op["description"] = "Reworded."
    step["url"]["description"] = "Reworded."
    return changed


EXPECTED_CHANGES = """\
GET /v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps (ListExecutionStep)
  BREAKING  query parameter Status: added (string, required)
  BREAKING  response 200 field meta.key: now nullable
  BREAKING  response 200 field meta.page_size: type integer -> string
  BREAKING  response 200 field steps[].date_created: format date-time -> date
            response 200 field steps[].name: no longer nullable
  BREAKING  response 200 field steps[].transitioned_to: removed (was string, nullable)
            response 200 field steps[].widget_version: added (integer, nullable)
GET /v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps/{Sid} (FetchExecutionStep)
  BREAKING  response 200 field date_created: format date-time -> date
            response 200 field name: no longer nullable
  BREAKING  response 200 field transitioned_to: removed (was string, nullable)
            response 200 field widget_version: added (integer, nullable)
11 changes, 7 breaking"""


def serverless_without(field: str) -> dict[str, Any]:
    """The serverless upstream spec with `field` removed from the Service schema."""
    changed = copy.deepcopy(read_json(SERVERLESS))
    del changed["components"]["schemas"][SERVICE_SCHEMA]["properties"][field]
    return changed


SERVICE_FIELD_REMOVED = """\
GET /v1/Services (ListService)
  BREAKING  response 200 field services[].unique_name: removed (was string, nullable)
POST /v1/Services (CreateService)
  BREAKING  response 201 field unique_name: removed (was string, nullable)
GET /v1/Services/{Sid} (FetchService)
  BREAKING  response 200 field unique_name: removed (was string, nullable)
POST /v1/Services/{Sid} (UpdateService)
  BREAKING  response 200 field unique_name: removed (was string, nullable)
4 changes, 4 breaking"""
