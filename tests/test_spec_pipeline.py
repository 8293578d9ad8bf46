"""The spec pipeline: upstream spec -> fragment (spec/) -> generated/, and its tooling.

Covers scripts/extract_fragment.py, scripts/spec_changes.py, scripts/update_spec.py and
scripts/generate.py. The generator tests need openapi-python-client and ruff (the
`generate` dependency group, installed by `nox -s tests`); each run takes about a second.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ROOT = Path(__file__).resolve().parent.parent
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


extract_fragment = script("extract_fragment")
spec_changes = script("spec_changes")
bindings = script("bindings")
generate = script("generate")

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


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    data: dict[str, Any] = read_json(STUDIO)
    return data


@pytest.fixture(scope="module")
def fragment() -> dict[str, Any]:
    data: dict[str, Any] = read_json(FRAGMENT)
    return data


# -- the upstream test data --------------------------------------------------------------


def test_upstream_copies_come_with_their_license_and_readme() -> None:
    readme = (UPSTREAM_DIR / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(readme) == 3
    assert "twilio/twilio-oai" in readme[0]
    assert "MIT" in readme[1]
    license_text = (UPSTREAM_DIR / "LICENSE-twilio-oai").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    assert "Twilio, Inc." in license_text
    for path, server in [
        (STUDIO, "https://studio.twilio.com"),
        (SERVERLESS, "https://serverless.twilio.com"),
    ]:
        spec = read_json(path)
        assert spec["openapi"].startswith("3.")
        assert spec["servers"] == [{"url": server}]


# -- the checked-in fragments ------------------------------------------------------------

FRAGMENTS = sorted(SPEC_DIR.glob("*/openapi.json"))
# Every spec/<service>/ folder: what update_spec.py and generate.py work through.
SERVICES = sorted(
    {p.parent for p in SPEC_DIR.glob("*/extract.json")} | {p.parent for p in FRAGMENTS}
)


def upstream_name(folder: Path) -> str:
    """The upstream file spec/<service>/extract.json says its fragment is cut from."""
    name: str = read_json(folder / "extract.json")["upstream"]
    return name


def test_both_fragments_are_among_the_fragments() -> None:
    assert FRAGMENT in FRAGMENTS
    assert SERVICES_FRAGMENT in FRAGMENTS
    assert [p.parent for p in FRAGMENTS] == SERVICES


@pytest.mark.parametrize("path", FRAGMENTS, ids=lambda p: p.parent.name)
def test_fragment_is_a_valid_openapi_document(path: Path) -> None:
    validate(read_json(path))


def test_validator_rejects_a_broken_fragment(fragment: dict[str, Any]) -> None:
    # The validation above can fail: a path parameter the path does not declare.
    broken = copy.deepcopy(fragment)
    broken["paths"][STEPS_PATH]["get"]["parameters"][0]["name"] = "NotInThePath"
    with pytest.raises(OpenAPIValidationError, match="Path parameter 'FlowSid'"):
        validate(broken)


def test_configs_name_their_upstream() -> None:
    assert upstream_name(STEPS_DIR) == STUDIO.name
    assert upstream_name(SERVICES_DIR) == SERVERLESS.name
    assert read_json(SERVICES_CONFIG)["operations"] == ["ListService"]


@pytest.mark.parametrize("folder", SERVICES, ids=lambda p: p.name)
def test_extraction_reproduces_the_fragment_byte_for_byte(folder: Path) -> None:
    # Every service, not only those whose upstream copy happens to be there: a fragment
    # the tests cannot re-derive from tests/data/upstream/ is a failure, not a skip.
    config = read_json(folder / "extract.json")
    assert "upstream" in config, f"{folder.name}/extract.json names no upstream file"
    source = UPSTREAM_DIR / config["upstream"]
    assert source.is_file(), f"{folder.name}: no {source.relative_to(ROOT)}"
    text = extract_fragment.dump(extract_fragment.extract(read_json(source), config))
    assert text.encode() == (folder / "openapi.json").read_bytes()


@pytest.mark.parametrize("folder", SERVICES, ids=lambda p: p.name)
def test_extract_cli_reproduces_the_fragment(folder: Path) -> None:
    source = UPSTREAM_DIR / upstream_name(folder)
    result = run(SCRIPTS / "extract_fragment.py", source, folder / "extract.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (folder / "openapi.json").read_text(encoding="utf-8")


def test_extraction_is_deterministic_whatever_the_key_order(upstream: dict[str, Any]) -> None:
    shuffled = copy.deepcopy(upstream)
    schemas = shuffled["components"]["schemas"]
    shuffled["components"]["schemas"] = dict(reversed(list(schemas.items())))
    shuffled["paths"] = dict(reversed(list(shuffled["paths"].items())))
    text = extract_fragment.dump(extract_fragment.extract(shuffled, read_json(CONFIG)))
    assert text == FRAGMENT.read_text(encoding="utf-8")


def test_fragment_has_what_the_issue_demands(fragment: dict[str, Any]) -> None:
    assert fragment["servers"] == [{"url": "https://studio.twilio.com"}]
    schemes = fragment["components"]["securitySchemes"]
    assert {name: (s["type"], s["scheme"]) for name, s in schemes.items()} == {
        "accountSid_authToken": ("http", "basic")
    }
    assert fragment["security"] == [{"accountSid_authToken": []}]
    op = fragment["paths"][STEPS_PATH]["get"]
    assert op["operationId"] == "ListExecutionStep"
    assert op["security"] == [{"accountSid_authToken": []}]

    params = {(p["in"], p["name"]): p for p in op["parameters"]}
    assert set(params) == {
        ("path", "FlowSid"),
        ("path", "ExecutionSid"),
        ("query", "PageSize"),
        ("query", "Page"),
        ("query", "PageToken"),
    }
    for name, prefix in [("FlowSid", "FW"), ("ExecutionSid", "FN")]:
        param = params[("path", name)]
        assert param["required"] is True
        assert param["schema"] == {
            "type": "string",
            "minLength": 34,
            "maxLength": 34,
            "pattern": f"^{prefix}[0-9a-fA-F]{{32}}$",
        }
    assert params[("query", "PageSize")]["schema"] == {
        "type": "integer",
        "format": "int64",
        "minimum": 1,
        "maximum": 1000,
    }
    assert params[("query", "Page")]["schema"] == {"type": "integer", "minimum": 0}
    assert params[("query", "PageToken")]["schema"] == {"type": "string"}
    assert not any(params[key].get("required") for key in params if key[0] == "query")

    ok = op["responses"]["200"]
    page = ok["content"]["application/json"]["schema"]
    assert page["properties"]["steps"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ExecutionStep"},
    }
    meta = page["properties"]["meta"]["properties"]
    assert {name: field.get("nullable", False) for name, field in meta.items()} == {
        "first_page_url": False,
        "key": False,
        "next_page_url": True,
        "page": False,
        "page_size": False,
        "previous_page_url": True,
        "url": False,
    }
    assert set(ok["headers"]) == {
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Allow-Credentials",
        "Access-Control-Expose-Headers",
    }

    step = fragment["components"]["schemas"]["ExecutionStep"]["properties"]
    assert list(step) == [
        "sid",
        "account_sid",
        "flow_sid",
        "execution_sid",
        "parent_step_sid",
        "name",
        "context",
        "transitioned_from",
        "transitioned_to",
        "type",
        "date_created",
        "date_updated",
        "url",
        "links",
    ]
    assert all(field["nullable"] is True for field in step.values())
    assert step["date_created"]["format"] == step["date_updated"]["format"] == "date-time"
    assert "type" not in step["context"]  # any JSON value

    error = op["responses"]["default"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/TwilioError"}
    twilio_error = fragment["components"]["schemas"]["TwilioError"]["properties"]
    assert set(twilio_error) == {"code", "message", "more_info", "status", "details"}
    assert set(fragment["components"]["schemas"]) == {"ExecutionStep", "TwilioError"}


# -- extraction errors -------------------------------------------------------------------


def test_unknown_operation_is_a_clear_error(upstream: dict[str, Any]) -> None:
    config = {**read_json(CONFIG), "operations": ["ListExecutionStep", "NoSuchOperation"]}
    with pytest.raises(
        extract_fragment.ExtractError, match=r"^not found in the upstream spec: NoSuchOperation$"
    ):
        extract_fragment.extract(upstream, config)


def test_dangling_ref_is_a_clear_error(upstream: dict[str, Any]) -> None:
    broken = copy.deepcopy(upstream)
    step = broken["components"]["schemas"][STEP_SCHEMA]["properties"]
    step["links"] = {"$ref": "#/components/schemas/no.such.schema"}
    with pytest.raises(
        extract_fragment.ExtractError,
        match=r"^dangling \$ref: #/components/schemas/no\.such\.schema$",
    ):
        extract_fragment.extract(broken, read_json(CONFIG))


def test_extract_cli_reports_errors_on_stderr(tmp_path: Path) -> None:
    config = tmp_path / "extract.json"
    config.write_text(json.dumps({"operations": ["NoSuchOperation"]}), encoding="utf-8")
    result = run(SCRIPTS / "extract_fragment.py", STUDIO, config)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "extract_fragment: not found in the upstream spec: NoSuchOperation" in result.stderr


# -- spec_changes ------------------------------------------------------------------------


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
7 changes, 5 breaking"""


def test_identical_specs_make_no_change(fragment: dict[str, Any], upstream: dict[str, Any]) -> None:
    assert spec_changes.diff_specs(fragment, copy.deepcopy(fragment)) == []
    assert spec_changes.format_changes([]) == "no change"
    assert spec_changes.diff_specs(upstream, copy.deepcopy(upstream)) == []


@pytest.mark.parametrize("folder", SERVICES, ids=lambda p: p.name)
def test_spec_changes_cli_prints_exactly_no_change(folder: Path) -> None:
    result = run(SCRIPTS / "spec_changes.py", folder / "openapi.json", folder / "openapi.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no change\n"


def test_serverless_fragment_against_itself_makes_no_change() -> None:
    services = read_json(SERVICES_FRAGMENT)
    assert spec_changes.diff_specs(services, copy.deepcopy(services)) == []
    upstream = read_json(SERVERLESS)
    assert spec_changes.diff_specs(upstream, copy.deepcopy(upstream)) == []


def serverless_without(field: str) -> dict[str, Any]:
    """The serverless upstream spec with `field` removed from the Service schema."""
    changed = copy.deepcopy(read_json(SERVERLESS))
    del changed["components"]["schemas"][SERVICE_SCHEMA]["properties"][field]
    return changed


SERVICE_FIELD_REMOVED = """\
GET /v1/Services (ListService)
  BREAKING  response 200 field services[].unique_name: removed (was string, nullable)
1 change, 1 breaking"""


def test_a_field_removed_from_the_service_schema_is_breaking() -> None:
    old = read_json(SERVICES_FRAGMENT)
    assert "unique_name" in old["components"]["schemas"]["Service"]["properties"]
    new = extract_fragment.extract(serverless_without("unique_name"), read_json(SERVICES_CONFIG))
    assert "unique_name" not in new["components"]["schemas"]["Service"]["properties"]
    changes = spec_changes.diff_specs(old, new)
    assert [(c.subject, c.kind, c.breaking) for c in changes] == [
        ("response 200 field services[].unique_name", "removed", True)
    ]
    assert spec_changes.format_changes(changes) == SERVICE_FIELD_REMOVED


def test_modified_upstream_reports_exactly_its_changes(
    upstream: dict[str, Any], fragment: dict[str, Any]
) -> None:
    new = extract_fragment.extract(modified_upstream(upstream), read_json(CONFIG))
    changes = spec_changes.diff_specs(fragment, new)
    assert spec_changes.format_changes(changes) == EXPECTED_CHANGES
    assert {(c.subject, c.kind, c.breaking) for c in changes} == {
        ("query parameter Status", "added", True),
        ("response 200 field meta.key", "changed", True),
        ("response 200 field meta.page_size", "changed", True),
        ("response 200 field steps[].date_created", "changed", True),
        ("response 200 field steps[].name", "changed", False),
        ("response 200 field steps[].transitioned_to", "removed", True),
        ("response 200 field steps[].widget_version", "added", False),
    }


def test_spec_changes_cli_on_files(
    tmp_path: Path, upstream: dict[str, Any], fragment: dict[str, Any]
) -> None:
    new = tmp_path / "new.json"
    new.write_text(
        extract_fragment.dump(
            extract_fragment.extract(modified_upstream(upstream), read_json(CONFIG))
        ),
        encoding="utf-8",
    )
    result = run(SCRIPTS / "spec_changes.py", FRAGMENT, new)
    assert (result.returncode, result.stdout) == (0, EXPECTED_CHANGES + "\n")
    strict = run(SCRIPTS / "spec_changes.py", "--fail-on-breaking", FRAGMENT, new)
    assert strict.returncode == 1
    assert run(SCRIPTS / "spec_changes.py", "--fail-on-breaking", new, new).returncode == 0


def test_summary_does_not_depend_on_key_order(
    upstream: dict[str, Any], fragment: dict[str, Any]
) -> None:
    def reordered(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: reordered(node[key]) for key in reversed(list(node))}
        if isinstance(node, list):
            return [reordered(value) for value in node]
        return node

    new = extract_fragment.extract(modified_upstream(upstream), read_json(CONFIG))
    summary = spec_changes.format_changes(
        spec_changes.diff_specs(reordered(fragment), reordered(new))
    )
    assert summary == EXPECTED_CHANGES


def test_error_schema_changes_are_reported(fragment: dict[str, Any]) -> None:
    new = copy.deepcopy(fragment)
    error = new["components"]["schemas"]["TwilioError"]["properties"]
    error["code"]["type"] = "string"
    del error["more_info"]
    error["user_error"] = {"type": "boolean"}
    assert spec_changes.format_changes(spec_changes.diff_specs(fragment, new)) == (
        "GET /v2/Flows/{FlowSid}/Executions/{ExecutionSid}/Steps (ListExecutionStep)\n"
        "  BREAKING  response default field code: type integer -> string\n"
        "  BREAKING  response default field more_info: removed (was string, format uri)\n"
        "            response default field user_error: added (boolean)\n"
        "3 changes, 2 breaking"
    )


def one_operation(params: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """A minimal spec: GET /things with these parameters, answering `body` (a schema)."""
    return {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "ListThings",
                    "parameters": params,
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": body}},
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Thing": body}},
    }


def query(name: str, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        # request parameters: what makes old calls fail is breaking
        (query("A", nullable=True, type="string"), query("A", type="string"),
         "BREAKING  query parameter A: no longer nullable"),
        (query("A", type="string"), query("A", nullable=True, type="string"),
         "          query parameter A: now nullable"),
        (query("A", type="string"), None, "BREAKING  query parameter A: removed (was string)"),
        (None, query("A", type="string"), "          query parameter A: added (string)"),
        (query("A", type="string"), query("A", True, type="string"),
         "BREAKING  query parameter A: now required"),
        (query("A", True, type="string"), query("A", type="string"),
         "          query parameter A: no longer required"),
        (query("A", type="integer", maximum=1000), query("A", type="integer", maximum=500),
         "BREAKING  query parameter A: maximum 1000 -> 500"),
        (query("A", type="integer", maximum=500), query("A", type="integer", maximum=1000),
         "          query parameter A: maximum 500 -> 1000"),
        (query("A", type="integer", minimum=0), query("A", type="integer", minimum=1),
         "BREAKING  query parameter A: minimum 0 -> 1"),
        (query("A", type="string"), query("A", type="string", pattern="^x$"),
         "BREAKING  query parameter A: pattern ^x$ added"),
        (query("A", type="string", pattern="^x$"), query("A", type="string"),
         "          query parameter A: pattern ^x$ removed"),
        (query("A", type="string", enum=["a", "b"]), query("A", type="string", enum=["a"]),
         'BREAKING  query parameter A: enum values removed: ["b"]'),
        (query("A", type="integer"), query("A", type="integer", format="int64"),
         "          query parameter A: format (none) -> int64"),
        (query("A", type="string"), query("A", type="string", format="date-time"),
         "BREAKING  query parameter A: format (none) -> date-time"),
        (query("A", type="integer", default=50), query("A", type="integer", default=20),
         "          query parameter A: default 50 -> 20"),
    ],
)  # fmt: skip
def test_request_parameter_rules(
    old: dict[str, Any] | None, new: dict[str, Any] | None, line: str
) -> None:
    body = {"type": "object", "properties": {}}
    before = one_operation([old] if old else [], body)
    after = one_operation([new] if new else [], body)
    summary = spec_changes.format_changes(spec_changes.diff_specs(before, after))
    assert summary.splitlines() == [
        "GET /things (ListThings)",
        f"  {line}",
        f"1 change, {int(line.startswith('BREAKING'))} breaking",
    ]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        # response fields: what old code reading the response cannot handle is breaking
        ({"type": "string"}, {"type": "string", "nullable": True},
         "BREAKING  response 200 field f: now nullable"),
        ({"type": "string", "nullable": True}, {"type": "string"},
         "          response 200 field f: no longer nullable"),
        ({"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]},
         'BREAKING  response 200 field f: enum values added: ["b"]'),
        ({"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]},
         '          response 200 field f: enum values removed: ["b"]'),
        ({"type": "string", "format": "uri"}, {"type": "string", "format": "uri-map"},
         "          response 200 field f: format uri -> uri-map"),
        ({"type": "string", "format": "uuid"}, {"type": "string"},
         "BREAKING  response 200 field f: format uuid -> (none)"),
        ({"type": "integer", "maximum": 5}, {"type": "integer", "maximum": 3},
         "          response 200 field f: maximum 5 -> 3"),
        ({"type": "array", "items": {"type": "integer"}},
         {"type": "array", "items": {"type": "number"}},
         "BREAKING  response 200 field f[]: type integer -> number"),
        ({"type": "object", "properties": {"g": {"type": "string"}}},
         {"type": "object", "properties": {}},
         "BREAKING  response 200 field f.g: removed (was string)"),
    ],
)  # fmt: skip
def test_response_field_rules(old: dict[str, Any], new: dict[str, Any], line: str) -> None:
    def spec(field: dict[str, Any]) -> dict[str, Any]:
        body = {"type": "object", "properties": {"f": field}}
        return one_operation([], {"$ref": "#/components/schemas/Thing"}) | {
            "components": {"schemas": {"Thing": body}}
        }

    summary = spec_changes.format_changes(spec_changes.diff_specs(spec(old), spec(new)))
    assert summary.splitlines() == [
        "GET /things (ListThings)",
        f"  {line}",
        f"1 change, {int(line.startswith('BREAKING'))} breaking",
    ]


def test_recursive_schemas_and_dangling_refs() -> None:
    tree = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
        },
    }
    spec = one_operation([], {"$ref": "#/components/schemas/Thing"}) | {
        "components": {"schemas": {"Thing": tree}}
    }
    assert spec_changes.diff_specs(spec, copy.deepcopy(spec)) == []
    grown = copy.deepcopy(spec)
    grown["components"]["schemas"]["Thing"]["properties"]["name"] = {"type": "string"}
    assert [c.subject for c in spec_changes.diff_specs(spec, grown)] == ["response 200 field name"]
    dangling = one_operation([], {"$ref": "#/components/schemas/Nope"})
    with pytest.raises(spec_changes.SpecError, match="dangling"):
        spec_changes.diff_specs(spec, dangling)


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
    (package / "errors.py").unlink()
    dirty = run(*check, cwd=repo_copy)
    assert dirty.returncode == 1
    assert "missing:  generated/studio_v2_steps_api/errors.py" in dirty.stderr
    assert "stray:    generated/studio_v2_steps_api/stray_module.py" in dirty.stderr
    assert "modified: generated/studio_v2_steps_api/models/execution_step.py" in dirty.stderr
    named = [line for line in dirty.stderr.splitlines() if "generated/studio_v2_steps_api/" in line]
    assert len(named) == 3

    fixed = run("scripts/generate.py", cwd=repo_copy)
    assert fixed.returncode == 0, fixed.stderr
    assert run(*check, cwd=repo_copy).returncode == 0
    assert not (package / "stray_module.py").exists()
