"""Describe a service's binding from its OpenAPI fragment, for the binding templates.

One document, read once: openapi-python-client parses it (in this process) and names the
model classes it writes, and this module reads what that parse drops (patterns, bounds,
form fields, Twilio's `x-twilio` metadata) off the same document, joined by path and
method. Every operation becomes a declaration: a list (a GET answering an array beside
`meta`, or Api v2010's `next_page_uri`), a fetch (any other GET), or a write (POST, DELETE).

Names come from what the spec states. A method's stem is the operationId without its
verb (FetchFlowRevision -> flow_revision); a list's stem ends with the path's last literal
segment as Twilio spells it (ListFlowRevision on .../Revisions -> flow_revisions). A
parameter's Python name is twilio-python's: snake_case of Twilio's name, a Python keyword
with a trailing underscore (From -> from_), `X<`/`X>` as x_before/x_after, headers too
(X-Twilio-Webhook-Enabled -> x_twilio_webhook_enabled). A bare {Sid} is named after the
resource its path indexes (the operation found at that path: Flows/{Sid} -> flow_sid).
The service's `extract.json` adds only names and facts the spec cannot carry:

    "bindings": {
      "client": "StepsClient",              # the sync class; the async one is Async + it
      "user_agent": "twilio-studio-steps",  # first User-Agent token
      "logger": "twilio_studio_steps",      # where requests and retries are logged
      "names": {"ListExecutionStep": "steps"},      # method stems (default: from the spec)
      "methods": {"UpdateFlowValidate": "validate_flow"},  # whole names of non-list methods
      "parameters": {"DateCreatedFrom": "created_from"},  # Python names of parameters
      "shared_fields": {"ListExecutionStep": ["flow_sid"]},  # strings kept once per page
      "idempotent": ["UpdateExecution"]     # updates retried like a GET (they only set values)
    }
"""

from __future__ import annotations

import copy
import json
import keyword
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lenient import lenient_responses, merged_properties

SCHEMA_REF = "#/components/schemas/"
PAGING = {"PageSize", "Page", "PageToken"}
VERBS = ("List", "Fetch", "Create", "Update", "Delete")
WRITE_VERBS = {"post": "update", "put": "update", "patch": "update", "delete": "delete"}
FORM = "application/x-www-form-urlencoded"
JSON_BODY = "application/json"


class BindingError(Exception):
    pass


def snake(name: str) -> str:
    """FlowSid -> flow_sid, X-Twilio-Webhook-Enabled -> x_twilio_webhook_enabled,
    DateSent< -> date_sent_before, From -> from_ (twilio-python's names)."""
    name = name.replace("<", "Before").replace(">", "After")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    if not name or name[0].isdigit():
        name = "p_" + name
    return name + "_" if keyword.iskeyword(name) or name in {"self", "cls"} else name


def camel(name: str) -> str:
    """steps -> Steps, execution_context -> ExecutionContext."""
    return "".join(part.capitalize() for part in name.split("_"))


@dataclass
class PathParam:
    name: str
    wire: str
    pattern: str | None


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
    is_list: bool = False
    required: bool = False
    pattern: str | None = None


@dataclass
class BodyParam:
    """A body field or a header parameter of a write."""

    name: str
    wire: str
    kind: str  # twilio_rest_core.operations.ValueKind
    annotation: str
    description: str
    required: bool = False
    is_list: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None


@dataclass
class BodyVariant:
    """One member of a body that is one of several schemas (a `oneOf` with a
    discriminator): the discriminator's value, and its fields by wire name."""

    value: str
    required: list[str]
    allowed: list[str]


@dataclass
class Binding:
    operation_id: str
    kind: str  # "list", "fetch" or "write"
    method: str  # the stem of the client's methods: iter_<method>, get_<method>, ...
    constant: str  # the declaration's name: LIST_STEPS, FETCH_STEP, CREATE_EXECUTION
    path: str
    summary: str
    description: str
    model: str  # the response's model class ("" for a write that answers no body)
    path_params: list[PathParam]
    query_params: list[QueryParam]
    ranges: list[tuple[str, str]] = field(default_factory=list)
    item_model: str = ""
    meta_model: str = ""  # the page's `meta` class (v2010: the page model itself)
    items_key: str = ""
    page_class: str = ""
    page_shape: str = "meta"
    parents: str = ""  # the name of list_<method>_for's argument: the parents listed
    min_page_size: int = 1
    max_page_size: int = 1000
    shared_fields: list[str] = field(default_factory=list)
    # Writes.
    http_method: str = "GET"
    verb: str = ""  # the write's method name: create_flow, update_flow, validate_flow
    body_params: list[BodyParam] = field(default_factory=list)
    header_params: list[BodyParam] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    idempotent: bool = False
    content_type: str = "form"
    # A body that is one of several schemas: the discriminator's Python name and wire
    # name, and each member (names resolved to Python ones in `write`).
    discriminator: str = ""
    variants: list[BodyVariant] = field(default_factory=list)
    # A fetch whose only success responses are redirects: these statuses, the Location returned.
    redirects: list[int] = field(default_factory=list)

    @property
    def methods(self) -> list[str]:
        """The client methods this operation becomes."""
        if self.kind == "fetch":
            return [f"get_{self.method}"]
        if self.kind == "write":
            return [self.verb]
        names = [f"iter_{self.method}", f"list_{self.method}", f"get_{self.method}_page"]
        names.append(f"iter_{self.method}_pages")
        return names + ([f"list_{self.method}_for"] if self.parents else [])

    @property
    def entry(self) -> str:
        """The method `operations[operation_id]` is bound to."""
        return self.methods[0]

    @property
    def keywords(self) -> list[Any]:
        """Every keyword argument: query, body and header parameters, in that order."""
        return [*self.query_params, *self.body_params, *self.header_params]


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

    def uses(self, *kinds: str) -> bool:
        """Whether any keyword argument is of one of `kinds` (for the imports)."""
        return any(p.kind in kinds for b in self.bindings for p in b.keywords)


# -- the parse that names the models ------------------------------------------------------


# The error body's schema extract_fragment.py adds to every fragment (for the docs and
# the local servers); the core reads error bodies itself.
ERROR_SCHEMA = "TwilioError"


def models_only(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as openapi-python-client is given it: without request bodies and query and
    header parameters, which only its low-level layer (not generated) would use, and which
    it refuses when two name the same Python identifier (StartTime, StartTime<, StartTime>).
    The bindings read those from the spec itself. No error responses: an error body is
    the core's to read (twilio_rest_core.errors), so no service has a model of its own
    for it. Response schemas are read leniently (scripts/lenient.py)."""
    paths = {
        path: {
            method: (
                {
                    **{key: value for key, value in op.items() if key != "requestBody"},
                    "parameters": [p for p in op.get("parameters", []) if p.get("in") == "path"],
                    "responses": {
                        status: copy.deepcopy(response)  # _untitle_clashes changes them
                        for status, response in op.get("responses", {}).items()
                        if status[:1] in ("2", "3")  # success and redirects
                    },
                }
                if isinstance(op, dict)
                else op
            )
            for method, op in item.items()
        }
        for path, item in spec["paths"].items()
    }
    components = dict(spec.get("components", {}))
    components["schemas"] = {
        name: schema
        for name, schema in components.get("schemas", {}).items()
        if name != ERROR_SCHEMA
    }
    _untitle_clashes(paths, components["schemas"])
    return shared_page_meta(lenient_responses({**spec, "paths": paths, "components": components}))


def _untitle_clashes(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """An inline response schema titled like a component schema (or like an inline one
    before it) loses its title: openapi-python-client names a model after its
    title and refuses two of one name (lookups_v2's batch answer is titled LookupResponse,
    the name of its single lookup's component). It is then named after its operation."""

    def key(name: str) -> str:  # the class name's letters (studio.v2.flow: StudioV2Flow)
        return re.sub(r"[^0-9a-z]", "", name.lower())

    taken = {key(name) for name in schemas}
    taken |= {key(str(schema["title"])) for schema in schemas.values() if "title" in schema}
    for media in _response_media(paths):
        schema = media.get("schema")
        if not isinstance(schema, dict) or "title" not in schema:
            continue
        if key(str(schema["title"])) in taken:
            media["schema"] = {k: v for k, v in schema.items() if k != "title"}
        else:
            taken.add(key(str(schema["title"])))


def _response_media(paths: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every response's media object (`content[<type>]`) of every operation of `paths`."""
    for item in paths.values():
        for op in item.values():
            if isinstance(op, dict):
                for response in op.get("responses", {}).values():
                    yield from response.get("content", {}).values()


# Models the core defines once for every service: schema name -> (the generated module
# that re-exports it, the core module). scripts/generate.py writes the re-export.
SHARED_MODELS = {"PageMeta": ("page_meta", "twilio_rest_core.page_meta")}
# The paging fields of every meta-style list Twilio publishes (twilio_rest_core.page_meta).
PAGE_META_FIELDS = frozenset(
    ("first_page_url", "key", "next_page_url", "page", "page_size", "previous_page_url", "url")
)


def shared_page_meta(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with each list response's `meta` (Twilio's paging fields, inline in every
    list) a reference to one PageMeta schema, which the core's model stands for."""
    schemas = spec.get("components", {}).get("schemas", {})
    if "PageMeta" in schemas:
        return spec  # a spec's own PageMeta: left as it is
    found: dict[str, Any] = {}
    paths = copy.deepcopy(spec["paths"])
    for media in _response_media(paths):
        properties = media.get("schema", {}).get("properties", {})
        meta = properties.get("meta", {})
        if set(meta.get("properties", ())) == PAGE_META_FIELDS:
            found.setdefault("schema", meta)
            properties["meta"] = {"$ref": "#/components/schemas/PageMeta"}
    if not found:
        return spec
    schemas = {**schemas, "PageMeta": found["schema"]}
    return {**spec, "paths": paths, "components": {**spec["components"], "schemas": schemas}}


def parse_models(spec: dict[str, Any], generator_config: dict[str, Any]) -> dict[Any, Any]:
    """(path, method) -> openapi-python-client's endpoint, from its own parse of `spec`."""
    spec = models_only(spec)
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser import GeneratorData

    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "openapi.json"
        source.write_text(json.dumps(spec))
        config_file = ConfigFile(
            **{k: v for k, v in generator_config.items() if k != "post_hooks"}, post_hooks=[]
        )
        config = Config.from_sources(config_file, MetaType.NONE, source, "utf-8", True, None)
    parsed = GeneratorData.from_dict(spec, config=config)
    if not isinstance(parsed, GeneratorData):
        raise BindingError(f"openapi-python-client cannot parse the fragment: {parsed.detail}")
    return {
        (_shape(e.path.get_untrusted_value()), e.method.lower()): e
        for collection in parsed.endpoint_collections_by_tag.values()
        for e in collection.endpoints
    }


def _shape(path: str) -> str:
    """A path template with its parameters unnamed (the generator renames them)."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _class_of(prop: Any) -> str:
    info = getattr(prop, "class_info", None)
    return str(info.name) if info is not None else ""


def _success(endpoint: Any) -> Any:
    """The model property of the first 2xx response with a body (None: no body)."""
    for response in endpoint.responses.patterns:
        if response.status_code.range is not None and _class_of(response.prop):
            return response.prop
    return None


def _redirects_only(operation: dict[str, Any]) -> list[int]:
    """The 3xx statuses of an operation whose every success response is a redirect
    (empty for any other: a 2xx makes it an ordinary operation)."""
    statuses = [s for s in operation.get("responses", {}) if s[:1] in ("2", "3")]
    if statuses and all(s.isdigit() and s.startswith("3") for s in statuses):
        return sorted(int(s) for s in statuses)
    return []


def _fields(model: Any) -> dict[str, Any]:
    return {
        p.name.get_untrusted_value() if hasattr(p.name, "get_untrusted_value") else str(p.name): p
        for p in [*(model.required_properties or []), *(model.optional_properties or [])]
    }


# -- what the spec states -----------------------------------------------------------------


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith(SCHEMA_REF):
            raise BindingError(f"unsupported $ref {ref}")
        resolved: dict[str, Any] = spec["components"]["schemas"][ref[len(SCHEMA_REF) :]]
        return resolved
    return node


def _words(text: object) -> str:
    return " ".join(str(text or "").split())


def _pattern(schema: dict[str, Any]) -> str | None:
    pattern = schema.get("pattern")
    return pattern.removeprefix("^").removesuffix("$") if pattern else None


def _instances(spec: dict[str, Any], names: dict[str, str]) -> dict[str, str]:
    """A path template (version dropped) -> the name of the resource found there: the
    stem of its fetch, update or delete (as the config names it, else from the id)."""
    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            op_id = op.get("operationId", "") if isinstance(op, dict) else ""
            if method in ("get", "post", "delete") and op_id.startswith(VERBS[1:]):
                stem = names.get(op_id) or snake(_stem(op_id)).rstrip("_")
                found.setdefault(path.split("/", 2)[-1], stem)
    return found


def _stem(op_id: str) -> str:
    return re.sub(r"^(" + "|".join(VERBS) + ")", "", op_id)


def _path_params(
    path: str, params: list[dict[str, Any]], instances: dict[str, str], renames: dict[str, str]
) -> list[PathParam]:
    by_name = {p["name"]: p for p in params if p.get("in") == "path"}
    found = []
    segments = path.strip("/").split("/")
    for index, segment in enumerate(segments):
        for wire in re.findall(r"\{(\w+)\}", segment):
            schema = by_name.get(wire, {}).get("schema", {})
            name = renames.get(wire, snake(wire))
            if wire == "Sid":  # named after the resource it indexes: Flows/{Sid} -> flow_sid
                resource = instances.get("/".join(segments[1 : index + 1]))
                name = f"{resource}_sid" if resource else "sid"
            found.append(PathParam(name, wire, _pattern(schema)))
    return found


ANNOTATIONS = {
    "str": "str",
    "int": "int",
    "number": "float",
    "bool": "bool",
    "datetime": "datetime",
    "date": "date",
    "object": "object",
    "any": "str",
}


def _value_kind(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(ValueKind, the resolved schema) of one scalar value."""
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if "enum" in schema:
        return "enum", schema
    if kind == "boolean":
        return "bool", schema
    if kind == "integer":
        return "int", schema
    if kind == "number":
        return "number", schema
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime", schema
    if kind == "string" and schema.get("format") == "date":
        return "date", schema
    if kind == "string":
        return "str", schema
    return "object", schema  # no type (free-form JSON), an object, or anything else


def _body_fields(
    spec: dict[str, Any], schema: dict[str, Any]
) -> tuple[dict[str, Any], set[str], list[BodyVariant]]:
    """A body schema's fields by wire name, those required, and its variants. A `oneOf`
    (or `anyOf`) body takes every member's fields (lenient.merged_properties), requires
    those every member requires, and, with a discriminator,
    has a variant per member that says which of them it requires and takes."""
    choices = schema.get("oneOf") or schema.get("anyOf")
    if not choices:
        return dict(schema.get("properties", {})), set(schema.get("required", ())), []
    members = [_resolve(spec, member) for member in choices]
    fields = merged_properties(members)
    required = set.intersection(*(set(member.get("required", ())) for member in members))
    discriminator = schema.get("discriminator", {})
    key = discriminator.get("propertyName")
    if not key:
        return fields, required, []
    if key in fields:  # its words are one member's ("Must be WHATSAPP")
        fields[key] = {**fields[key], "description": "Which kind of body this is (above)."}
    by_ref = {ref: value for value, ref in discriminator.get("mapping", {}).items()}
    variants = []
    for choice, member in zip(choices, members, strict=True):
        own = member.get("properties", {}).get(key, {}).get("enum", [])
        value = by_ref.get(choice.get("$ref", "")) or (own[0] if len(own) == 1 else None)
        if value is None:
            raise BindingError(f"a member of a body's oneOf has no value of {key}")
        variants.append(
            BodyVariant(str(value), list(member.get("required", ())), list(member["properties"]))
        )
    return fields, required, variants


def _body_param(
    spec: dict[str, Any], wire: str, schema: dict[str, Any], required: bool, renames: dict[str, str]
) -> BodyParam:
    description = _words(schema.get("description"))
    is_list = _resolve(spec, schema).get("type") == "array"
    kind, resolved = _value_kind(
        spec, _resolve(spec, schema).get("items", {}) if is_list else schema
    )
    choices = tuple(str(c) for c in resolved.get("enum", ()))
    base = (
        "Literal[" + ", ".join(json.dumps(c) for c in choices) + "]"
        if kind == "enum"
        else ANNOTATIONS[kind]
    )
    annotation = f"Sequence[{base}]" if is_list else base
    if not required:
        annotation += " | None"
    return BodyParam(
        renames.get(wire, snake(wire)),
        wire,
        kind,
        annotation,
        description,
        required=required,
        is_list=is_list,
        choices=choices,
        minimum=resolved.get("minimum"),
        maximum=resolved.get("maximum"),
        pattern=_pattern(resolved),
    )


def _query_param(
    spec: dict[str, Any], param: dict[str, Any], renames: dict[str, str]
) -> QueryParam:
    wire = param["name"]
    schema = _resolve(spec, param.get("schema", {}))
    name = renames.get(wire, snake(wire))
    description = _words(param.get("description"))
    is_list = schema.get("type") == "array"
    kind, resolved = _value_kind(spec, schema.get("items", {}) if is_list else schema)
    if kind in {"object", "any"}:
        kind = "str"  # a query carries text
    choices = tuple(str(c) for c in resolved.get("enum", ()))
    base = {
        "enum": "Literal[" + ", ".join(json.dumps(c) for c in choices) + "]",
        "datetime": "datetime | date",
    }.get(kind) or ANNOTATIONS[kind]
    required = bool(param.get("required"))
    return QueryParam(
        name,
        wire,
        kind,
        (f"Sequence[{base}]" if is_list else base) + ("" if required else " | None"),
        description,
        choices,
        minimum=resolved.get("minimum"),
        maximum=resolved.get("maximum"),
        is_list=is_list,
        required=required,
        pattern=_pattern(resolved) if kind == "str" else None,
    )


def _ranges(queries: list[QueryParam]) -> list[tuple[str, str]]:
    """Datetime parameters named <X>From and <X>To bound a window (DateCreatedFrom/To)."""
    by_wire = {q.wire: q for q in queries if q.kind == "datetime"}
    return [
        (q.name, by_wire[q.wire[: -len("From")] + "To"].name)
        for q in by_wire.values()
        if q.wire.endswith("From") and q.wire[: -len("From")] + "To" in by_wire
    ]


def _list_stem(stem: str, path: str) -> str:
    """The list's stem: the resource's words, ending with the path's last literal segment
    as Twilio spells it (flow_revision on .../Revisions -> flow_revisions)."""
    literal = [s for s in path.strip("/").split("/") if "{" not in s][-1]
    tail = snake(literal.removesuffix(".json")).rstrip("_").split("_")
    words = stem.split("_")
    if tail[0] in words:  # the segment restates the resource: AvailablePhoneNumbers
        return "_".join(words[: words.index(tail[0])] + tail)
    return "_".join(words[: max(0, len(words) - len(tail))] + tail)


class _Describer:
    def __init__(
        self, spec: dict[str, Any], config: dict[str, Any], endpoints: dict[Any, Any]
    ) -> None:
        self.spec = spec
        self.config = config
        self.endpoints = endpoints
        self.renames: dict[str, str] = config.get("parameters", {})
        self.instances = _instances(spec, config.get("names", {}))

    def binding(self, path: str, method: str, operation: dict[str, Any]) -> Binding:
        op_id = operation["operationId"]
        params = [_resolve_param(self.spec, p) for p in operation.get("parameters", [])]
        endpoint = self.endpoints[(_shape(path), method)]
        common: dict[str, Any] = {
            "operation_id": op_id,
            "path": path,
            "summary": _words(operation.get("summary")),
            "description": _words(operation.get("description")),
            "path_params": _path_params(path, params, self.instances, self.renames),
            "query_params": [
                _query_param(self.spec, p, self.renames)
                for p in params
                if p.get("in") == "query" and p["name"] not in PAGING
            ],
        }
        self.taken = {p.name for p in common["path_params"]}
        common["query_params"] = self.apart(common["query_params"])
        common["ranges"] = _ranges(common["query_params"])
        stem = snake(_stem(op_id)).rstrip("_")
        names = self.config.get("names", {})
        if method == "get":
            redirects = _redirects_only(operation)
            if redirects:
                verb = self.config.get("methods", {}).get(op_id, f"get_{names.get(op_id, stem)}")
                name = verb.removeprefix("get_")
                return Binding(
                    kind="fetch",
                    constant=f"FETCH_{name.upper()}",
                    method=name,
                    model="",
                    redirects=redirects,
                    **common,
                )
            page = self.page(endpoint, common, names.get(op_id), stem, params)
            if page is not None:
                return page
            model = _class_of(_success(endpoint))
            if not model:
                raise BindingError(f"{op_id}: a fetch must answer a component schema")
            if op_id.startswith("List"):  # a list Twilio answers in one body, not in pages
                stem = _list_stem(stem, path)
            verb = self.config.get("methods", {}).get(op_id, f"get_{names.get(op_id, stem)}")
            name = verb.removeprefix("get_")
            return Binding(
                kind="fetch", constant=f"FETCH_{name.upper()}", method=name, model=model, **common
            )
        return self.write(method, operation, endpoint, common, stem)

    def apart(self, params: list[Any]) -> list[Any]:
        """Keywords renamed where they would repeat a path parameter's name (a body's
        AccountSid beside the path's): a trailing underscore, as for a keyword."""
        for param in params:
            while param.name in self.taken:
                param.name += "_"
            self.taken.add(param.name)
        return params

    def page(
        self,
        endpoint: Any,
        common: dict[str, Any],
        named: str | None,
        stem: str,
        params: list[dict[str, Any]],
    ) -> Binding | None:
        """A list operation's binding, or None when the GET does not answer a page."""
        model = _success(endpoint)
        if model is None:
            return None
        fields = _fields(model)
        arrays = [n for n, p in fields.items() if type(p).__name__ == "ListProperty"]
        if "meta" in fields and len(arrays) == 1:
            shape, meta = "meta", _class_of(fields["meta"])
        elif "next_page_uri" in fields and len(arrays) == 1:
            shape, meta = "v2010", _class_of(model)
        else:
            return None
        items_key = arrays[0]
        item_model = _class_of(fields[items_key].inner_property)
        if not item_model or not meta:
            raise BindingError(f"{common['operation_id']}: the page's items or meta are untyped")
        method = named or _list_stem(stem, common["path"])
        page_size = next((p for p in params if p.get("name") == "PageSize"), {}).get("schema", {})
        path_params = common["path_params"]
        last = path_params[-1].name if path_params else ""
        return Binding(
            kind="list",
            constant="LIST_" + method.upper(),
            method=method,
            model=_class_of(model),
            item_model=item_model,
            meta_model=meta,
            items_key=items_key,
            page_class=camel(method) + "Page",
            page_shape=shape,
            parents=last.removesuffix("_sid") + "s" if last.endswith("_sid") else "",
            min_page_size=int(page_size.get("minimum", 1)),
            max_page_size=int(page_size.get("maximum", 1000)),
            shared_fields=list(
                self.config.get("shared_fields", {}).get(common["operation_id"], [])
            ),
            **common,
        )

    def write(
        self,
        method: str,
        operation: dict[str, Any],
        endpoint: Any,
        common: dict[str, Any],
        stem: str,
    ) -> Binding:
        op_id = common["operation_id"]
        if method not in WRITE_VERBS:
            raise BindingError(f"{op_id}: {method.upper()} is not supported")
        default = f"{'create' if op_id.startswith('Create') else WRITE_VERBS[method]}_{stem}"
        name = self.config.get("names", {}).get(op_id)
        verb = self.config.get("methods", {}).get(op_id) or (
            f"{default.split('_', 1)[0]}_{name}" if name else default
        )
        content = operation.get("requestBody", {}).get("content", {})
        content_type = "json" if JSON_BODY in content and FORM not in content else "form"
        schema = _resolve(
            self.spec,
            content.get(FORM if content_type == "form" else JSON_BODY, {}).get("schema", {}),
        )
        properties, required, variants = _body_fields(self.spec, schema)
        body = [
            _body_param(self.spec, wire, prop, wire in required, self.renames)
            for wire, prop in properties.items()
        ]
        headers = [
            _body_param(
                self.spec, p["name"], p.get("schema", {}), bool(p.get("required")), self.renames
            )
            for p in (_resolve_param(self.spec, p) for p in operation.get("parameters", []))
            if p.get("in") == "header" and p["name"] != "Authorization"
        ]
        statuses = sorted(
            int(s) for s in operation.get("responses", {}) if s.isdigit() and s.startswith("2")
        )
        body, headers = self.apart(body), self.apart(headers)
        names = {param.wire: param.name for param in body}
        for variant in variants:
            variant.required = [names[wire] for wire in variant.required]
            variant.allowed = [names[wire] for wire in variant.allowed]
        discriminator = schema.get("discriminator", {}).get("propertyName", "")
        return Binding(
            kind="write",
            discriminator=names.get(discriminator, ""),
            variants=variants,
            constant=verb.upper(),
            method=stem,
            verb=verb,
            model=_class_of(_success(endpoint)),
            http_method=method.upper(),
            body_params=body,
            header_params=headers,
            statuses=statuses or [200],
            idempotent=op_id in self.config.get("idempotent", ()),
            content_type=content_type,
            **common,
        )


def _resolve_param(spec: dict[str, Any], param: dict[str, Any]) -> dict[str, Any]:
    ref = param.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
        resolved: dict[str, Any] = spec["components"]["parameters"][ref.rsplit("/", 1)[1]]
        return resolved
    return param


def _tell_apart(bindings: list[Binding]) -> None:
    """Give an operation whose methods an earlier one already has its whole id as its name
    (for services added without curated names: `"unique_names": true`)."""
    taken: set[str] = set()
    for binding in bindings:
        if taken & {*binding.methods, binding.constant}:
            whole = snake(binding.operation_id).rstrip("_")
            binding.method = whole
            binding.verb = whole if binding.kind == "write" else ""
            binding.constant = "OPERATION_" + whole.upper()
            binding.page_class = camel(whole) + "Page" if binding.kind == "list" else ""
        taken |= {*binding.methods, binding.constant}


def describe(
    spec: dict[str, Any], extract_config: dict[str, Any], generator_config: dict[str, Any]
) -> Service:
    """The binding of one service: every operation of its fragment, in path order."""
    config = extract_config.get("bindings")
    if not isinstance(config, dict):
        raise BindingError('extract.json has no "bindings" section')
    endpoints = parse_models(spec, generator_config)
    describer = _Describer(spec, config, endpoints)
    bindings = [
        describer.binding(path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "delete", "put", "patch")
    ]
    if not bindings:
        raise BindingError("the fragment has no operation")
    host = urlsplit(spec["servers"][0]["url"]).hostname or ""
    product = host.removesuffix(".twilio.com")
    if not product or "." in product:
        raise BindingError(f"cannot tell the product from the server {host!r}")
    if config.get("unique_names"):
        _tell_apart(bindings)
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
