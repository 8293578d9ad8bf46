"""Describe a service's binding from its OpenAPI fragment, for the binding templates.

The fragment says almost everything: each GET operation's path and path parameters
(with their patterns), its query parameters (types, enums, bounds), whether it lists
(a response with an array beside `meta`) or fetches one resource, the models, the host
label (`servers`). The service's `extract.json` adds only names:

    "bindings": {
      "client": "StepsClient",              # the sync class; the async one is Async + it
      "user_agent": "twilio-studio-steps",  # first User-Agent token
      "logger": "twilio_studio_steps",      # where requests and retries are logged
      "names": {"ListExecutionStep": "steps"},      # method names (default: from the id)
      "parameters": {"DateCreatedFrom": "created_from"},  # Python names of query params
      "shared_fields": {"ListExecutionStep": ["flow_sid"]}  # strings kept once per page
    }
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

SCHEMA_REF = "#/components/schemas/"
PAGING = {"PageSize", "Page", "PageToken"}


class BindingError(Exception):
    pass


def snake(name: str) -> str:
    """FlowSid -> flow_sid, DateCreatedFrom -> date_created_from."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def camel(name: str) -> str:
    """steps -> Steps, execution_context -> ExecutionContext."""
    return "".join(part.capitalize() for part in name.split("_"))


def singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


@dataclass
class PathParam:
    name: str
    wire: str
    pattern: str


@dataclass
class QueryParam:
    name: str
    wire: str
    kind: str
    annotation: str
    description: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass
class Binding:
    operation_id: str
    kind: str  # "list" or "fetch"
    method: str  # the name in the client's methods: iter_<method>, get_<method>, ...
    constant: str  # the declaration's name: LIST_STEPS, FETCH_STEP
    path: str
    summary: str
    description: str
    model: str  # the response's model class
    path_params: list[PathParam]
    query_params: list[QueryParam]
    ranges: list[tuple[str, str]] = field(default_factory=list)
    item_model: str = ""
    meta_model: str = ""  # the page's `meta` class, read off the generated page model
    items_key: str = ""
    page_class: str = ""
    parents: str = ""  # the name of list_<method>_for's argument: the parents listed
    min_page_size: int = 1
    max_page_size: int = 1000
    shared_fields: list[str] = field(default_factory=list)

    @property
    def methods(self) -> list[str]:
        """The client methods this operation becomes."""
        if self.kind == "fetch":
            return [f"get_{self.method}"]
        names = [f"iter_{self.method}", f"list_{self.method}", f"get_{self.method}_page"]
        names.append(f"iter_{self.method}_pages")
        return names + ([f"list_{self.method}_for"] if self.parents else [])


@dataclass
class Service:
    package: str
    product: str
    user_agent: str
    logger: str
    client: str
    title: str
    bindings: list[Binding]

    @property
    def models(self) -> list[str]:
        names = {b.model for b in self.bindings} | {b.item_model for b in self.bindings}
        names |= {b.meta_model for b in self.bindings}
        return sorted(name for name in names if name)

    @property
    def lists(self) -> list[Binding]:
        return [b for b in self.bindings if b.kind == "list"]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith(SCHEMA_REF):
            raise BindingError(f"unsupported $ref {ref}")
        resolved: dict[str, Any] = spec["components"]["schemas"][ref[len(SCHEMA_REF) :]]
        return resolved
    return node


def _class_name(title_or_ref: str, overrides: dict[str, Any]) -> str:
    override = overrides.get(title_or_ref)
    if override:
        return str(override["class_name"])
    return camel(snake(title_or_ref).replace(".", "_"))


def _path_params(path: str, params: list[dict[str, Any]]) -> list[PathParam]:
    by_name = {p["name"]: p for p in params if p.get("in") == "path"}
    found = []
    segments = path.strip("/").split("/")
    for index, segment in enumerate(segments):
        match = re.fullmatch(r"\{(\w+)\}", segment)
        if not match:
            continue
        wire = match.group(1)
        schema = by_name[wire].get("schema", {})
        pattern = schema.get("pattern")
        if not pattern:
            raise BindingError(f"{path}: path parameter {wire} declares no pattern")
        # A bare {Sid} is named after the collection it indexes: Executions/{Sid} -> execution_sid.
        name = snake(singular(segments[index - 1])) + "_sid" if wire == "Sid" else snake(wire)
        found.append(PathParam(name, wire, pattern.removeprefix("^").removesuffix("$")))
    return found


def _query_param(
    spec: dict[str, Any], param: dict[str, Any], renames: dict[str, str]
) -> QueryParam:
    wire = param["name"]
    schema = _resolve(spec, param.get("schema", {}))
    name = renames.get(wire, snake(wire))
    description = " ".join(str(param.get("description", "")).split())
    if "enum" in schema:
        choices = tuple(str(c) for c in schema["enum"])
        literal = ", ".join(f'"{c}"' for c in choices)
        return QueryParam(name, wire, "enum", f"Literal[{literal}] | None", description, choices)
    if schema.get("type") == "integer":
        return QueryParam(
            name,
            wire,
            "int",
            "int | None",
            description,
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
        )
    if schema.get("type") == "string" and schema.get("format") == "date-time":
        return QueryParam(name, wire, "datetime", "datetime | date | None", description)
    if schema.get("type") == "string":
        return QueryParam(name, wire, "str", "str | None", description)
    raise BindingError(f"query parameter {wire}: unsupported schema {schema}")


def _ranges(queries: list[QueryParam]) -> list[tuple[str, str]]:
    """Datetime parameters named <X>From and <X>To bound a window (DateCreatedFrom/To)."""
    by_wire = {q.wire: q for q in queries if q.kind == "datetime"}
    return [
        (q.name, by_wire[q.wire[: -len("From")] + "To"].name)
        for q in by_wire.values()
        if q.wire.endswith("From") and q.wire[: -len("From")] + "To" in by_wire
    ]


def _binding(
    spec: dict[str, Any],
    path: str,
    operation: dict[str, Any],
    config: dict[str, Any],
    overrides: dict[str, Any],
) -> Binding:
    op_id = operation["operationId"]
    params = operation.get("parameters", [])
    renames = config.get("parameters", {})
    queries = [
        _query_param(spec, p, renames)
        for p in params
        if p.get("in") == "query" and p["name"] not in PAGING
    ]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    body = _resolve(spec, response)
    properties = body.get("properties", {})
    arrays = [key for key, value in properties.items() if value.get("type") == "array"]
    default_name = snake(re.sub(r"^(List|Fetch)", "", op_id))
    if op_id.startswith("List") and not default_name.endswith("s"):
        default_name += "s"  # ListFlow -> iter_flows; FetchFlow -> get_flow
    method = config.get("names", {}).get(op_id, default_name)
    common: dict[str, Any] = {
        "ranges": _ranges(queries),
        "operation_id": op_id,
        "method": method,
        "path": path,
        "summary": " ".join(str(operation.get("summary", "")).split()),
        "description": " ".join(str(operation.get("description", "")).split()),
        "path_params": _path_params(path, params),
        "query_params": queries,
    }
    if "meta" in properties and len(arrays) == 1:
        items_key = arrays[0]
        item_ref = properties[items_key]["items"]["$ref"][len(SCHEMA_REF) :]
        page_size = next((p for p in params if p["name"] == "PageSize"), {}).get("schema", {})
        path_params = common["path_params"]
        parents = path_params[-1].name.removesuffix("_sid") + "s" if path_params else ""
        return Binding(
            kind="list",
            constant="LIST_" + method.upper(),
            model=_class_name(response.get("title", ""), overrides),
            item_model=_class_name(item_ref, overrides),
            items_key=items_key,
            page_class=camel(method) + "Page",
            parents=parents,
            min_page_size=int(page_size.get("minimum", 1)),
            max_page_size=int(page_size.get("maximum", 1000)),
            shared_fields=list(config.get("shared_fields", {}).get(op_id, [])),
            **common,
        )
    ref = response.get("$ref", "")
    if not ref.startswith(SCHEMA_REF):
        raise BindingError(f"{op_id}: a fetch must answer a component schema")
    return Binding(
        kind="fetch",
        constant="FETCH_" + method.upper(),
        model=_class_name(ref[len(SCHEMA_REF) :], overrides),
        **common,
    )


def describe(
    spec: dict[str, Any], extract_config: dict[str, Any], generator_config: dict[str, Any]
) -> Service:
    """The binding of one service: every GET operation of its fragment, in path order."""
    config = extract_config.get("bindings")
    if not isinstance(config, dict):
        raise BindingError('extract.json has no "bindings" section')
    overrides = generator_config.get("class_overrides", {})
    bindings = []
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is not None:
            bindings.append(_binding(spec, path, operation, config, overrides))
    if not bindings:
        raise BindingError("the fragment has no GET operation")
    host = urlsplit(spec["servers"][0]["url"]).hostname or ""
    product = host.removesuffix(".twilio.com")
    if not product or "." in product:
        raise BindingError(f"cannot tell the product from the server {host!r}")
    methods = [name for b in bindings for name in b.methods]
    clashes = sorted({name for name in methods if methods.count(name) > 1})
    if clashes:
        raise BindingError(f"two operations share a method name: {', '.join(clashes)}")
    return Service(
        package=generator_config["package_name_override"],
        product=product,
        user_agent=config["user_agent"],
        logger=config["logger"],
        client=config["client"],
        title=spec.get("info", {}).get("title", ""),
        bindings=bindings,
    )
