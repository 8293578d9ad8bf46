"""scripts/spec_changes.py: what changed for users between two fragments."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from spec_scripts import (
    CONFIG,
    EXPECTED_CHANGES,
    FRAGMENT,
    SCRIPTS,
    SERVERLESS,
    SERVICE_FIELD_REMOVED,
    SERVICES,
    SERVICES_CONFIG,
    SERVICES_FRAGMENT,
    extract_fragment,
    modified_upstream,
    read_json,
    run,
    serverless_without,
    spec_changes,
)

# -- spec_changes ------------------------------------------------------------------------


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


def test_a_field_removed_from_the_service_schema_is_breaking() -> None:
    old = read_json(SERVICES_FRAGMENT)
    assert "unique_name" in old["components"]["schemas"]["Service"]["properties"]
    new = extract_fragment.extract(serverless_without("unique_name"), read_json(SERVICES_CONFIG))
    assert "unique_name" not in new["components"]["schemas"]["Service"]["properties"]
    changes = spec_changes.diff_specs(old, new)
    # Every operation answering a Service (list, create, fetch, update) reports it.
    assert [(c.subject, c.kind, c.breaking) for c in changes] == [
        ("response 200 field services[].unique_name", "removed", True),
        ("response 201 field unique_name", "removed", True),
        ("response 200 field unique_name", "removed", True),
        ("response 200 field unique_name", "removed", True),
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
        # The step schema is also FetchExecutionStep's answer: it changed there too.
        ("response 200 field date_created", "changed", True),
        ("response 200 field name", "changed", False),
        ("response 200 field transitioned_to", "removed", True),
        ("response 200 field widget_version", "added", False),
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
    # Every operation answers errors with the same schema: each reports the change.
    per_operation = (
        "  BREAKING  response default field code: type integer -> string\n"
        "  BREAKING  response default field more_info: removed (was string, format uri)\n"
        "            response default field user_error: added (boolean)\n"
    )
    operations = [
        (method.upper(), path, item[method]["operationId"])
        for path, item in sorted(fragment["paths"].items())
        for method in ("get", "post", "delete")
        if method in item
    ]
    assert len(operations) == 19
    assert spec_changes.format_changes(spec_changes.diff_specs(fragment, new)) == (
        "".join(f"{method} {path} ({op})\n{per_operation}" for method, path, op in operations)
        + f"{3 * len(operations)} changes, {2 * len(operations)} breaking"
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
