"""Run Twilio's published specs through `add_service` and count what works.

    python scripts/sweep.py [SPEC.json ...] [--upstream DIR] [--table FILE]
                            [--server stand-in] [--server prism] [--require-all]

For each spec, in a scratch folder: generate the service with every operation
(scripts/add_service.py), type-check every generated package with `mypy --strict` (no
per-module overrides), and call every operation once with the sync and once with the
async client against a server that checks each request against the spec. `stand-in`
(the default): an in-process handler that checks the method, the path template, the
query and form fields the operation declares, every required one present, and answers an
empty page or a resource with only its identity fields. `prism`: Stoplight Prism mocking
Twilio's own spec (scripts/prism_mock.py), which validates every parameter and body field
against its schema. And decode every documented example response through the operation's
model. Prints (or writes) a Markdown table per spec and per kind: operations / generated
/ type-check / called (one column per server) / with examples / examples decode.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import add_service
import generate
import httpx
import prism_mock
from bindings import Binding, describe
from lenient import identity_fields

KINDS = ("list", "fetch", "create", "update", "delete", "other")
ACCOUNT = "AC" + "0" * 32


def kind_of(method: str, op_id: str, path: str, spec_item: dict[str, Any]) -> str:
    if method == "get":
        return "list" if op_id.startswith("List") else "fetch"
    if method == "delete":
        return "delete"
    if method == "post":
        return "create" if op_id.startswith("Create") else "update"
    return "update" if method in {"put", "patch"} else "other"


def published(spec: dict[str, Any]) -> dict[str, str]:
    """operationId -> kind, for every operation the spec publishes."""
    return {
        op["operationId"]: kind_of(method, op["operationId"], path, item)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


# -- a stand-in server that checks requests against the spec ---------------------------


def resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The component schema `schema` refers to ($ref), else `schema` itself."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        found: dict[str, Any] = schemas[ref.rsplit("/", 1)[1]]
        return found
    return schema


def body_schemas(fragment: dict[str, Any], binding: Binding) -> list[dict[str, Any]]:
    """The schemas the operation's request body may be: one, or the members of its
    `oneOf`/`anyOf` ([{}] when it has none)."""
    op = fragment["paths"][binding.path][binding.http_method.lower()]
    body = op.get("requestBody", {}).get("content", {})
    schemas = fragment.get("components", {}).get("schemas", {})
    schema = resolved(next(iter(body.values()), {}).get("schema", {}), schemas)
    members = schema.get("oneOf") or schema.get("anyOf")
    return [resolved(member, schemas) for member in members] if members else [schema]


def formats(fragment: dict[str, Any], binding: Binding) -> dict[str, str]:
    """wire name -> the `format` the spec gives a body field or query parameter."""
    op = fragment["paths"][binding.path][binding.http_method.lower()]
    found = {
        name: field["format"]
        for schema in body_schemas(fragment, binding)
        for name, field in schema.get("properties", {}).items()
        if "format" in field
    }
    for param in op.get("parameters", []):
        if "format" in param.get("schema", {}):
            found[param["name"]] = param["schema"]["format"]
    return found


class Checker:
    """httpx transport handler: each request must be one the spec declares."""

    def __init__(self, fragment: dict[str, Any], bindings: list[Binding]) -> None:
        self.fragment = fragment
        # Every identity field any resource has: each answer carries them all (a
        # resource's are required; the others are keys it keeps aside).
        self.identity = dict.fromkeys(sorted(set().union(*identity_fields(fragment).values())), "x")
        self.routes = []
        for b in bindings:
            pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(b.path))
            self.routes.append((b, re.compile(pattern + "$"), body_schemas(fragment, b)))
        self.failures: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        path = request.url.path
        for binding, pattern, schema in self.routes:
            if request.method == binding.http_method and pattern.match(path):
                problem = self.check(binding, request, schema)
                if problem:
                    self.failures.append(f"{binding.operation_id}: {problem}")
                    return httpx.Response(400, json={"code": 20001, "message": problem})
                return answer(binding, self.identity)
        self.failures.append(f"no operation for {request.method} {path}")
        return httpx.Response(404, json={"code": 20404, "message": "not found"})

    @staticmethod
    def check(binding: Binding, request: httpx.Request, schemas: list[dict[str, Any]]) -> str:
        declared = {q.wire for q in binding.query_params} | {"PageSize", "PageToken", "Page"}
        unknown = set(request.url.params) - declared
        if unknown:
            return f"undeclared query {sorted(unknown)}"
        if binding.kind != "write" or binding.http_method == "DELETE":
            return "" if not request.content else "a body on a " + request.method
        fields = (
            {k for k, _ in parse_qsl(request.content.decode(), keep_blank_values=True)}
            if binding.content_type == "form"
            else set(json.loads(request.content or b"{}"))
        )
        problems = []
        for schema in schemas:  # the body is one of them (most bodies: the only one)
            properties = set(schema.get("properties", {}))
            missing = set(schema.get("required", ())) - fields
            if fields - properties:
                problems.append(f"undeclared fields {sorted(fields - properties)}")
            elif missing:
                problems.append(f"required fields missing {sorted(missing)}")
            else:
                return ""
        return problems[0]


def answer(binding: Binding, identity: dict[str, str]) -> httpx.Response:
    if binding.kind == "list":
        body: dict[str, Any] = {binding.items_key: []}
        if binding.page_shape == "v2010":
            body |= {"next_page_uri": None, "page": 0, "page_size": 50}
        else:
            body["meta"] = {"next_page_url": None, "page": 0, "page_size": 50, "key": "x"}
        return httpx.Response(200, json=body)
    if binding.redirects:  # as Twilio answers them: where the resource is, elsewhere
        location = "https://signed.example.test/" + binding.operation_id
        return httpx.Response(binding.redirects[0], headers={"location": location})
    status = binding.statuses[0] if binding.statuses else 200
    if status == 204 or not binding.model:
        return httpx.Response(status)
    return httpx.Response(status, json=identity)


# -- arguments that pass the generated checks ---------------------------------------------


def text_for(pattern: str | None) -> str | None:
    """A string matching `pattern`: a SID of one of the prefixes it names, or a plain
    word; None when neither matches."""
    if not pattern:
        return "value"
    compiled = re.compile(pattern)
    prefixes = re.findall(r"[A-Z]{2}", pattern)
    candidates = [prefix + "0" * 32 for prefix in [*prefixes, "AA"]] + ["value", "US", "1", "v1"]
    return next((text for text in candidates if compiled.fullmatch(text)), None)


# Values for the string formats a spec-validating server checks (Prism checks `uri`).
FORMATTED = {"uri": "https://example.com/callback", "email": "user@example.com"}


def value_for(param: Any, fmt: str = "") -> Any:
    kind = param.kind
    if fmt in FORMATTED and kind == "str":
        value: Any = FORMATTED[fmt]
    elif kind == "enum":
        value = param.choices[0]
    elif kind == "bool":
        value = True
    elif kind in {"int", "number"}:
        value = param.minimum if param.minimum is not None else 1
    elif kind == "datetime":
        value = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    elif kind == "date":
        value = dt.date(2024, 5, 1)
    elif kind == "object":
        value = {}
    else:
        value = text_for(getattr(param, "pattern", None))
        if value is None:
            raise LookupError(f"no value for {param.name} matching {param.pattern}")
    return [value] if getattr(param, "is_list", False) else value


def sample(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """A JSON value the schema admits, with every required field of every object in it
    filled (a body field that is an object, whose own fields a server checks)."""
    schema = resolved(schema, schemas)
    members = schema.get("oneOf") or schema.get("anyOf") or schema.get("allOf")
    if members and depth < 8:
        return sample(members[0], schemas, depth + 1)
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if (kind == "object" or "properties" in schema) and depth < 8:
        required = schema.get("required", ())
        return {
            name: sample(field, schemas, depth + 1)
            for name, field in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array" and depth < 8:
        return [sample(schema.get("items", {}), schemas, depth + 1)]
    if kind in {"integer", "number"}:
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    formatted = {**FORMATTED, "date": "2024-05-01", "date-time": "2024-05-01T00:00:00Z"}
    text = formatted.get(schema.get("format", "")) or text_for(schema.get("pattern"))
    return text or "value"


def object_values(fragment: dict[str, Any], binding: Binding) -> dict[str, Any]:
    """wire name -> a sample of each body field the spec types as an object (or a list
    of objects)."""
    schemas = fragment.get("components", {}).get("schemas", {})

    def is_object(field: dict[str, Any]) -> bool:
        return field.get("type") == "object" or "$ref" in field or "properties" in field

    return {
        wire: sample(field, schemas)
        for schema in body_schemas(fragment, binding)[:1]
        for wire, field in schema.get("properties", {}).items()
        if is_object(field) or (field.get("type") == "array" and is_object(field.get("items", {})))
    }


def path_schemas(fragment: dict[str, Any], binding: Binding) -> dict[str, dict[str, Any]]:
    """wire name -> the schema the spec gives a path parameter."""
    item = fragment["paths"][binding.path]
    op = item[binding.http_method.lower()]
    schemas = fragment.get("components", {}).get("schemas", {})
    found = {}
    for param in [*item.get("parameters", []), *op.get("parameters", [])]:
        if param.get("in") == "path":
            found[param["name"]] = resolved(param.get("schema", {}), schemas)
    return found


def path_value(schema: dict[str, Any]) -> str | None:
    """A path segment the schema's type, enum or format asks for (None: any string, or a
    pattern, which text_for serves)."""
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return "1"
    return {"date": "2024-05-01", "date-time": "2024-05-01T00:00:00Z"}.get(schema.get("format", ""))


def arguments(binding: Binding, fragment: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    schemas = path_schemas(fragment, binding)
    path = []
    for p in binding.path_params:
        value = path_value(schemas.get(p.wire, {})) or text_for(p.pattern)
        if value is None:
            raise LookupError(f"no value for {p.name} matching {p.pattern}")
        path.append(value)
    fmt = formats(fragment, binding)
    # A body of several kinds: the first kind's, with what that kind requires.
    variant = binding.variants[0] if binding.variants else None
    objects = object_values(fragment, binding) if binding.kind == "write" else {}
    keywords = {
        p.name: objects[p.wire]
        if p.kind == "object" and p.wire in objects
        else value_for(p, fmt.get(p.wire, ""))
        for p in binding.keywords
        if getattr(p, "required", False) or (variant and p.name in variant.required)
    }
    if variant:
        keywords[binding.discriminator] = variant.value
    return path, keywords


def clients(module: Any, service: Any) -> tuple[Any, Any]:
    return getattr(module, service.client), getattr(module, "Async" + service.client)


# No retry in either: each call is one request the server judges.
def call_sync(
    module: Any,
    service: Any,
    binding: Binding,
    base: str,
    transport: httpx.BaseTransport,
    args: tuple[list[str], dict[str, Any]],
) -> None:
    path, keywords = args
    with (
        httpx.Client(transport=transport) as http,
        clients(module, service)[0](
            ACCOUNT, "token", base_url=base, max_retries=0, http_client=http
        ) as c,
    ):
        result = c.operations[binding.operation_id](*path, **keywords)
        if binding.kind == "list":
            list(result)


async def call_async(
    module: Any,
    service: Any,
    binding: Binding,
    base: str,
    transport: httpx.AsyncBaseTransport,
    args: tuple[list[str], dict[str, Any]],
) -> None:
    path, keywords = args
    async with (
        httpx.AsyncClient(transport=transport) as http,
        clients(module, service)[1](
            ACCOUNT, "token", base_url=base, max_retries=0, http_client=http
        ) as a,
    ):
        result = a.operations[binding.operation_id](*path, **keywords)
        if binding.kind == "list":
            [item async for item in result]
        else:
            await result


async def call_both(module: Any, service: Any, binding: Binding, checker: Checker) -> bool:
    """The operation, once sync and once async, against the stand-in; True when both
    went through."""
    before = len(checker.failures)
    transport = httpx.MockTransport(checker)
    base = "https://" + service.product + ".twilio.com"
    args = arguments(binding, checker.fragment)
    call_sync(module, service, binding, base, transport, args)
    await call_async(module, service, binding, base, transport, args)
    return len(checker.failures) == before


def call_prism(
    module: Any,
    service: Any,
    binding: Binding,
    fragment: dict[str, Any],
    base: str,
    inner: Any = None,
) -> tuple[str, str]:
    """Both calls against Prism (through `inner`, a transport standing in for it, when
    given), and its verdict on the requests. An answer that does not decode (Twilio's
    example breaking Twilio's schema) or an error status is Prism's word on the response:
    only what it said about the request decides."""
    log: list[prism_mock.Exchange] = []
    failures: list[str] = []
    try:
        args = arguments(binding, fragment)
    except LookupError as exc:
        return prism_mock.REFUSED, str(exc)

    def sync() -> None:
        call_sync(module, service, binding, base, prism_mock.Recording(log, inner), args)

    def async_() -> None:
        recording = prism_mock.AsyncRecording(log, inner)
        asyncio.run(call_async(module, service, binding, base, recording, args))

    for call in (sync, async_):
        sent = len(log)
        try:
            call()
        except Exception as exc:  # judged by what Prism said about the request, below
            if len(log) == sent:  # refused before any request: ours to report
                failures.append(f"{type(exc).__name__}: {exc}"[:200])
    if failures:
        return prism_mock.REFUSED, failures[0]
    return prism_mock.verdict(log)


# -- Twilio's documented example responses -----------------------------------------------


def documented_examples(fragment: dict[str, Any], operation_id: str) -> list[Any]:
    """The example bodies of the operation's success responses."""
    for item in fragment["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return [
                    example["value"]
                    for status, response in op.get("responses", {}).items()
                    if status.startswith("2")
                    for media in response.get("content", {}).values()
                    for example in media.get("examples", {}).values()
                    if "value" in example
                ]
    return []


def decode_example(operation: Any, value: Any) -> Any:
    """`value` as a client reads it: a list page through the core's page decoding, any
    other body through the operation model's wire decoder; the model."""
    from twilio_rest_core._decode import build_page, decode_page
    from twilio_rest_core._wire import WireDecoder, wire_type_of
    from twilio_rest_core.operations import ListOperation

    body = json.dumps(value).encode()
    if isinstance(operation, ListOperation):
        request = httpx.Request("GET", "https://api.twilio.com" + operation.path)
        headers = {"content-type": "application/json"}
        response = httpx.Response(200, headers=headers, request=request)
        return build_page(operation, decode_page(operation, response, body)).model
    return operation.model.from_wire(WireDecoder(wire_type_of(operation.model)).decode(body))


def examples_decoded(module: Any, fragment: dict[str, Any], row: dict[str, Any]) -> None:
    """Fill row["examples"] (operations with documented bodies) and row["decoded"] (those
    whose every body decodes)."""
    from twilio_rest_core.operations import NoContent, Operation

    declared = [op for op in vars(module).values() if isinstance(op, Operation)]
    for operation in declared:
        if operation.model is NoContent:
            continue
        values = documented_examples(fragment, operation.name)
        if not values:
            continue
        row["examples"].add(operation.name)
        try:
            for value in values:
                decode_example(operation, value)
        except Exception as exc:
            row["notes"].append(f"example {operation.name}: {type(exc).__name__}: {exc}"[:200])
        else:
            row["decoded"].add(operation.name)


# -- the sweep -----------------------------------------------------------------------------


def mypy_failures(root: Path, packages: list[str]) -> dict[str, int]:
    """package -> errors `mypy --strict` finds in it (one run over all of them)."""
    if not packages:
        return {}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--explicit-package-bases",
            *[str(root / "generated" / p) for p in packages],
        ],
        capture_output=True,
        text=True,
        cwd=root / "generated",
        check=False,
    )
    counts: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        match = re.match(r"(?:.*/)?generated/(\w+)/|(\w+)/", line)
        if ": error:" in line and match:
            counts[match.group(1) or match.group(2)] += 1
    return dict(counts)


def counted(servers: list[str]) -> list[str]:
    """The row keys of the operations each server counts as called."""
    return (["called"] if "stand-in" in servers else []) + (
        ["prism", "prism#2473"] if "prism" in servers else []
    )


def sweep(
    specs: list[Path], root: Path, servers: list[str], prism: Path | None = None
) -> list[dict[str, Any]]:
    """Rows per spec; `servers` says which call the operations ("stand-in", "prism"),
    `prism` is the executable when Prism is one of them."""
    rows = []
    loaded: dict[str, tuple[Any, Any, list[Binding], dict[str, Any]]] = {}
    for spec_path in specs:
        spec = json.loads(spec_path.read_text())
        kinds = published(spec)
        row: dict[str, Any] = {
            "spec": spec_path.name,
            "spec_path": spec_path,
            "kinds": kinds,
            "generated": set(),
            "notes": [],
            **{key: set() for key in counted(servers)},
        }
        started = time.monotonic()
        try:
            folder, refused = add_service.add(spec_path, root)
        except (Exception, SystemExit) as exc:  # a sweep reports every failure and goes on
            row["notes"].append(f"not generated: {type(exc).__name__}: {exc}"[:300])
            rows.append(row)
            continue
        row["seconds"] = time.monotonic() - started
        config = json.loads((folder / "extract.json").read_text())
        fragment = json.loads((folder / "openapi.json").read_text())
        service = describe(fragment, config, generate.read_config(folder))
        row["generated"] = {b.operation_id for b in service.bindings}
        row["package"] = service.package
        row["notes"] += [f"left out {k}: {v}"[:200] for k, v in refused.items()]
        loaded[spec_path.name] = (folder, service, service.bindings, fragment)
        rows.append(row)
    errors = mypy_failures(root, [r["package"] for r in rows if "package" in r])
    sys.path.insert(0, str(root / "generated"))
    for row in rows:
        row["examples"], row["decoded"] = set(), set()
        if "package" not in row:
            continue
        row["typed"] = row["generated"] if not errors.get(row["package"]) else set()
        if errors.get(row["package"]):
            row["notes"].append(f"mypy --strict: {errors[row['package']]} errors")
        _, service, _, fragment = loaded[row["spec"]]
        try:
            module = importlib.import_module(row["package"] + ".clients")
        except Exception as exc:
            row["notes"].append(f"import failed: {exc}"[:200])
            continue
        examples_decoded(importlib.import_module(row["package"] + ".operations"), fragment, row)
        if "stand-in" in servers:
            row["called"] = called_by_stand_in(row, module, service, fragment)
        if prism is not None:
            row["prism"], row["prism#2473"] = called_by_prism(row, module, service, fragment, prism)
    return rows


def called_by_stand_in(
    row: dict[str, Any], module: Any, service: Any, fragment: dict[str, Any]
) -> set[str]:
    called = set()
    checker = Checker(fragment, service.bindings)
    for binding in service.bindings:
        try:
            if asyncio.run(call_both(module, service, binding, checker)):
                called.add(binding.operation_id)
        except Exception as exc:
            row["notes"].append(f"call {binding.operation_id}: {type(exc).__name__}: {exc}"[:200])
    row["notes"] += checker.failures[:5]
    return called


def called_by_prism(
    row: dict[str, Any], module: Any, service: Any, fragment: dict[str, Any], executable: Path
) -> tuple[set[str], set[str]]:
    """(accepted by Prism, refused only for stoplightio/prism#2473), against Prism mocking
    Twilio's own spec (not our fragment)."""
    called, known_bug = set(), set()
    with prism_mock.serving(row["spec_path"], executable) as base:
        for binding in service.bindings:
            said, why = call_prism(module, service, binding, fragment, base)
            if said == prism_mock.CALLED:
                called.add(binding.operation_id)
            elif said == prism_mock.PRISM_2473:
                known_bug.add(binding.operation_id)
                row["notes"].append(f"Prism #2473 (not ours) on {binding.operation_id}")
            else:
                row["notes"].append(f"Prism refused {binding.operation_id}: {why}"[:200])
    return called, known_bug


HEADERS = {
    "generated": "generated",
    "typed": "type-checks",
    "called": "called (stand-in)",
    "prism": "called (Prism)",
    "prism#2473": "Prism #2473",
    "examples": "examples",
    "decoded": "decoded",
}


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: per spec and per kind, a column for each count the rows hold (the
    stand-in's and Prism's called side by side when both ran)."""
    keys = [k for k in HEADERS if any(k in row for row in rows) or k in ("generated", "typed")]
    header = "| {} | operations | " + " | ".join(HEADERS[k] for k in keys) + " |"
    rule = "|---|---:|" + "---:|" * len(keys)
    lines = [header.format("spec"), rule]
    totals: dict[str, Counter[str]] = {k: Counter() for k in ["all", *keys]}
    for row in rows:
        kinds = row["kinds"]
        counts = [len(kinds), *(len(row.get(k, ())) for k in keys)]
        lines.append(f"| {row['spec']} | " + " | ".join(map(str, counts)) + " |")
        for op_id, kind in kinds.items():
            totals["all"][kind] += 1
            for key in keys:
                if op_id in row.get(key, ()):
                    totals[key][kind] += 1
    total = [sum(totals[k].values()) for k in ["all", *keys]]
    lines.append("| **all** | " + " | ".join(f"**{n}**" for n in total) + " |")
    lines += ["", header.format("kind"), rule]
    for kind in KINDS:
        if totals["all"][kind]:
            counts = [totals[k][kind] for k in ["all", *keys]]
            lines.append(f"| {kind} | " + " | ".join(map(str, counts)) + " |")
    notes = [f"- {row['spec']}: {note}" for row in rows for note in row["notes"]]
    return "\n".join(lines + (["", "What did not work:", "", *notes] if notes else [])) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument(
        "--upstream", type=Path, default=generate.ROOT.parent / "shared" / "upstream"
    )
    parser.add_argument("--table", type=Path, help="write the table here too")
    parser.add_argument(
        "--server",
        action="append",
        choices=["stand-in", "prism"],
        help="who answers the calls (repeat for both, side by side); default: stand-in."
        " prism: Stoplight Prism mock, installed from npm into " + str(prism_mock.CACHE),
    )
    parser.add_argument(
        "--require-all",
        action="store_true",
        help="exit 1 unless every operation was called and its documented examples decode",
    )
    args = parser.parse_args(argv)
    servers = args.server or ["stand-in"]
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    prism = prism_mock.install() if "prism" in servers else None
    specs = args.specs or sorted(args.upstream.glob("twilio_*.json"))
    with tempfile.TemporaryDirectory() as scratch:
        rows = sweep(specs, Path(scratch), servers, prism)
    text = table(rows)
    print(text)
    if args.table:
        args.table.write_text(text)
    # Prism's #2473 is Prism's bug, not ours: an operation it alone refused is not short.
    ran = [k for k in ("called", "prism") if any(k in row for row in rows)]
    needed = ["generated", "typed", *ran]
    short = [
        f"{row['spec']}: {op_id}"
        for row in rows
        for op_id in row["kinds"]
        if not all(
            op_id in row.get(key, ()) or (key == "prism" and op_id in row.get("prism#2473", ()))
            for key in needed
        )
        or (op_id in row.get("examples", ()) and op_id not in row.get("decoded", ()))
    ]
    if args.require_all and short:
        print(f"{len(short)} operations not generated, type-checked and called", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
