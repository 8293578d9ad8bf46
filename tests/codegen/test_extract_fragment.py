"""scripts/extract_fragment.py: the upstream test data, the checked-in fragments, errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from spec_scripts import (
    CONFIG,
    FRAGMENT,
    FRAGMENTS,
    ROOT,
    SCRIPTS,
    SERVERLESS,
    SERVICES,
    SERVICES_CONFIG,
    SERVICES_DIR,
    SERVICES_FRAGMENT,
    STEP_SCHEMA,
    STEPS_DIR,
    STEPS_PATH,
    STUDIO,
    UPSTREAM_DIR,
    extract_fragment,
    read_json,
    run,
    upstream_name,
)

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
    assert len(read_json(SERVICES_CONFIG)["operations"]) == 39  # the whole of Serverless v1


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
    assert set(fragment["components"]["schemas"]) == {
        "Execution",
        "ExecutionContext",
        "ExecutionStatus",
        "ExecutionStep",
        "ExecutionStepContext",
        *("Flow", "FlowStatus", "FlowRevision", "FlowRevisionStatus", "FlowTestUsers"),
        *("FlowValidation", "FlowValidationStatus"),
        "TwilioError",
    }


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
