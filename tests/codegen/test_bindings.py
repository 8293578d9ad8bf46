"""scripts/bindings.py: what a service's binding says, read off its fragment; and the proof
that an operation Twilio publishes needs no hand-written line (extract, generate, call)."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from spec_scripts import (
    CONFIG,
    FRAGMENT,
    PATH_WITH_VENV,
    SERVICES_CONFIG,
    SERVICES_FRAGMENT,
    STUDIO,
    bindings,
    extract_fragment,
    generate,
    needs_generator,
    read_json,
)
from twilio_rest_core.testing import LocalTwilioServer
from twilio_studio_steps import AsyncStepsClient, StepsClient

GENERATOR = {"package_name_override": "pkg", "class_overrides": {}}


def studio() -> Any:
    return bindings.describe(read_json(FRAGMENT), read_json(CONFIG), GENERATOR)


def test_the_studio_binding_is_read_off_its_fragment() -> None:
    service = studio()
    assert (service.product, service.client, service.logger) == (
        "studio",
        "StepsClient",
        "twilio_studio_steps",
    )
    by_constant = {b.constant: b for b in service.bindings}
    # All 19 of Studio v2's operations, named as issue 21 names them.
    assert {name for b in service.bindings for name in b.methods} >= {
        *("iter_flows", "list_flows", "get_flow", "create_flow", "update_flow", "delete_flow"),
        *("iter_flow_revisions", "list_flow_revisions", "get_flow_revision", "validate_flow"),
        *("get_test_users", "update_test_users", "create_execution", "update_execution"),
        *("delete_execution", "iter_executions", "get_execution", "get_execution_context"),
        *("iter_steps", "get_step", "get_step_context"),
    }
    assert len(service.bindings) == 19
    steps = by_constant["LIST_STEPS"]
    assert (steps.kind, steps.items_key, steps.item_model) == ("list", "steps", "ExecutionStep")
    assert [(p.name, p.wire, p.pattern) for p in steps.path_params] == [
        ("flow_sid", "FlowSid", "FW[0-9a-fA-F]{32}"),
        ("execution_sid", "ExecutionSid", "FN[0-9a-fA-F]{32}"),
    ]
    assert (steps.min_page_size, steps.max_page_size) == (1, 1000)
    assert steps.parents == "executions"
    executions = by_constant["LIST_EXECUTIONS"]
    assert [(q.name, q.wire, q.kind) for q in executions.query_params] == [
        ("status", "status", "enum"),
        ("created_from", "DateCreatedFrom", "datetime"),
        ("created_to", "DateCreatedTo", "datetime"),
    ]
    assert executions.query_params[0].choices == ("active", "ended")
    assert executions.ranges == [("created_from", "created_to")]
    # {Sid} is named after the collection it indexes.
    fetch = by_constant["FETCH_STEP"]
    assert [p.name for p in fetch.path_params] == ["flow_sid", "execution_sid", "step_sid"]
    assert (fetch.kind, fetch.model) == ("fetch", "ExecutionStep")


def test_the_serverless_binding_is_the_whole_of_serverless_v1() -> None:
    service = bindings.describe(read_json(SERVICES_FRAGMENT), read_json(SERVICES_CONFIG), GENERATOR)
    assert len(service.bindings) == 39
    by_id = {b.operation_id: b for b in service.bindings}
    services = by_id["ListService"]
    assert (services.constant, services.path_params, services.parents) == ("LIST_SERVICES", [], "")
    assert service.product == "serverless"
    # Serverless gives its parents' SIDs no pattern: checked for what is certain instead.
    variable = by_id["UpdateVariable"]
    assert [(p.name, p.pattern) for p in variable.path_params] == [
        ("service_sid", None),
        ("environment_sid", "ZE[0-9a-fA-F]{32}"),
        ("variable_sid", "ZV[0-9a-fA-F]{32}"),
    ]
    assert (variable.kind, variable.verb, variable.http_method, variable.statuses) == (
        "write",
        "update_variable",
        "POST",
        [200],
    )
    assert variable.idempotent  # declared in its extract.json
    assert not by_id["CreateVariable"].idempotent
    build = by_id["CreateBuild"]
    assert [(p.name, p.kind, p.is_list, p.required) for p in build.body_params][:2] == [
        ("asset_versions", "str", True, False),
        ("function_versions", "str", True, False),
    ]
    delete = by_id["DeleteService"]
    assert (delete.http_method, delete.statuses, delete.model) == ("DELETE", [204], "")


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("From", "from_"),  # a keyword gets a trailing underscore
        ("FriendlyName", "friendly_name"),
        ("DateSent<", "date_sent_before"),
        ("DateSent>", "date_sent_after"),
        ("X-Twilio-Webhook-Enabled", "x_twilio_webhook_enabled"),
        ("If-Match", "if_match"),
        ("UiEditable", "ui_editable"),
        ("status", "status"),
    ],
)
def test_parameter_names_are_twilio_pythons(wire: str, python: str) -> None:
    assert bindings.snake(wire) == python


def test_names_default_to_the_operation_id() -> None:
    config = copy.deepcopy(read_json(CONFIG))
    del config["bindings"]["names"]
    methods = {b.operation_id: b.method for b in studio_with(config).bindings}
    assert methods["ListExecutionStep"] == "execution_steps"
    assert methods["FetchExecutionStep"] == "execution_step"
    assert methods["FetchExecutionStepContext"] == "execution_step_context"


def studio_with(config: Mapping[str, Any], spec: Mapping[str, Any] | None = None) -> Any:
    return bindings.describe(spec or read_json(FRAGMENT), config, GENERATOR)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda spec, config: config.pop("bindings"), 'no "bindings" section'),
        (
            lambda spec, config: config["bindings"]["names"].update(FetchStep="steps"),
            None,  # an unknown operation id in `names` is harmless
        ),
        (
            lambda spec, config: config["bindings"]["names"].update(ListExecution="steps"),
            "share a method name: get_steps_page, iter_steps",
        ),
        (
            lambda spec, config: config["bindings"].update(
                methods={"UpdateExecution": "get_execution"}
            ),
            "share a method name: get_execution",
        ),
        (
            lambda spec, config: spec.update(servers=[{"url": "https://example.com"}]),
            "cannot tell the product",
        ),
    ],
)
def test_a_binding_that_cannot_be_described_says_why(change: Any, message: str | None) -> None:
    spec, config = copy.deepcopy(read_json(FRAGMENT)), copy.deepcopy(read_json(CONFIG))
    change(spec, config)
    if message is None:
        studio_with(config, spec)
        return
    with pytest.raises(bindings.BindingError, match=message):
        studio_with(config, spec)


PAGING = ["page_size", "limit", "page_token", "prefetch"]


@pytest.mark.parametrize("client", [StepsClient, AsyncStepsClient])
def test_generated_methods_take_what_the_spec_declares(client: type[Any]) -> None:
    listing = inspect.signature(client.iter_executions).parameters
    assert [p for p in listing if listing[p].kind is inspect.Parameter.KEYWORD_ONLY] == [
        "status",
        "created_from",
        "created_to",
        *PAGING,
    ]
    steps = inspect.signature(client.iter_steps).parameters
    assert list(steps) == ["self", "flow_sid", "execution_sid", *PAGING]
    fetch = inspect.signature(client.get_step_context).parameters
    assert list(fetch) == ["self", "flow_sid", "execution_sid", "step_sid"]
    assert "Retrieve" in (client.get_step_context.__doc__ or "")  # the spec's summary


@pytest.mark.parametrize("client", [StepsClient, AsyncStepsClient])
def test_every_paging_argument_is_keyword_only_in_one_order(client: type[Any]) -> None:
    """page_size, limit, page_token, prefetch: keyword-only wherever they are taken, in
    this order, whether or not the list has filters (`iter_steps(f, e, 50, 10)` must
    not mean one thing here and another on a sibling)."""
    checked = 0
    for name, method in inspect.getmembers(client, inspect.isfunction):
        if name.startswith("_"):
            continue
        parameters = inspect.signature(method).parameters
        taken = [p for p in parameters if p in PAGING]
        if not taken:
            continue
        checked += 1
        assert taken == [p for p in PAGING if p in taken], name
        kinds = {parameters[p].kind for p in taken}
        assert kinds == {inspect.Parameter.KEYWORD_ONLY}, name
    # the generated executions and steps methods and the core's seam, at least
    assert checked >= 14


@pytest.mark.parametrize("method", ["iter_executions", "iter_steps", "get_step_context"])
def test_help_shows_one_line_per_parameter(method: str) -> None:
    """Each argument's line in `help()` starts with its name: none runs on from the
    line before (a template newline eaten by trim_blocks did that)."""
    import pydoc

    function = getattr(StepsClient, method)
    text = pydoc.render_doc(function, renderer=pydoc.plaintext)
    args = text.split("Args:", 1)[1]
    lines = [line.strip() for line in args.splitlines() if line.strip()]
    documented = [line.split(":", 1)[0] for line in lines]
    parameters = [p for p in inspect.signature(function).parameters if p != "self"]
    assert documented == parameters
    for name in parameters:
        assert sum(f"{name}:" in line for line in lines) == 1, name


# -- zero hand-written lines ----------------------------------------------------------------


@pytest.fixture
def flows_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A service no line of this repository knows: Studio's Flows, from Twilio's spec."""
    folder = tmp_path / "spec" / "studio_v2_flows"
    folder.mkdir(parents=True)
    config = {
        "upstream": STUDIO.name,
        "title": "Twilio - Studio - Flows",
        "operations": ["ListFlow", "FetchFlow"],
        "schema_names": {"studio.v2.flow": "Flow", "flow_enum_status": "FlowStatus"},
        "bindings": {"client": "FlowsClient", "user_agent": "flows", "logger": "flows"},
    }
    (folder / "extract.json").write_text(json.dumps(config))
    fragment = extract_fragment.extract(read_json(STUDIO), config)
    (folder / "openapi.json").write_text(extract_fragment.dump(fragment))
    (folder / "generator.yaml").write_text(
        "package_name_override: studio_v2_flows_api\n"
        "class_overrides:\n  ListFlowResponse:\n    class_name: FlowPage\n"
        "    module_name: flow_page\n"
        "literal_enums: true\nuse_path_prefixes_for_title_model_names: false\n"
        + "".join(
            line + "\n"
            for line in (ROOT_SPEC / "studio_v2_steps" / "generator.yaml").read_text().splitlines()
            if line.startswith(("post_hooks:", "  - "))
        )
    )
    monkeypatch.setenv("PATH", PATH_WITH_VENV)
    out = tmp_path / "generated"
    out.mkdir()
    generate.generate_into(folder, "studio_v2_flows_api", out)
    monkeypatch.syspath_prepend(str(out))
    yield importlib.import_module("studio_v2_flows_api.clients")
    for name in [m for m in sys.modules if m.startswith("studio_v2_flows_api")]:
        del sys.modules[name]


ROOT_SPEC = FRAGMENT.parent.parent


def flow(index: int, base: str) -> dict[str, Any]:
    sid = f"FW{index:032x}"
    return {
        "sid": sid,
        "account_sid": "AC" + "0" * 32,
        "friendly_name": f"flow {index}",
        "status": "published",
        "revision": index,
        "valid": True,
        "date_created": "2024-05-01T12:00:00Z",
        "url": f"{base}/v2/Flows/{sid}",
    }


@needs_generator
def test_an_operation_from_the_spec_needs_no_hand_written_line(flows_package: Any) -> None:
    credentials = {"AC" + "0" * 32: "token"}
    with LocalTwilioServer(credentials) as server:
        server.add_collection(
            "/v2/Flows", "flows", lambda _, base: [flow(i, base) for i in range(7)]
        )
        server.add_resource(
            "/v2/Flows/{Sid}",
            lambda values, base: flow(int(values["Sid"][2:], 16), base),
            {"Sid": r"FW[0-9a-f]{32}"},
        )
        client = flows_package.FlowsClient("AC" + "0" * 32, "token", base_url=server.base_url)
        with client:
            flows = client.list_flows(page_size=3)
            assert [f.friendly_name for f in flows] == [f"flow {i}" for i in range(7)]
            fetched = client.get_flow(flows[4].sid)
            assert fetched == flows[4] and fetched.date_created.tzinfo is not None
            with pytest.raises(ValueError, match="flow_sid"):
                client.get_flow("FN" + "0" * 32)  # its pattern, from the spec
        assert server.requests[0].headers["User-Agent"].startswith("flows/")
