"""Run Twilio's published specs through `add_service` and count what works.

    python scripts/sweep.py [SPEC.json ...] [--upstream DIR] [--table FILE]

For each spec, in a scratch folder: generate the service with every operation
(scripts/add_service.py), type-check every generated package with `mypy --strict` (no
per-module overrides), and call every operation once with the sync and once with the
async client against a stand-in server that checks each request against the spec (the
method, the path template, the query and form fields it declares, every required one
present) and answers an empty page or a resource with only its identity fields; and
decode every documented example response through the operation's model. Prints (or
writes) a Markdown table per spec and per kind: operations / generated / type-check /
called / with examples / examples decode.
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


class Checker:
    """httpx transport handler: each request must be one the spec declares."""

    def __init__(self, fragment: dict[str, Any], bindings: list[Binding]) -> None:
        # Every identity field any resource has: each answer carries them all (a
        # resource's are required; the others are keys it keeps aside).
        self.identity = dict.fromkeys(sorted(set().union(*identity_fields(fragment).values())), "x")
        self.routes = []
        for b in bindings:
            op = fragment["paths"][b.path][b.http_method.lower()]
            pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(b.path))
            body = op.get("requestBody", {}).get("content", {})
            schema = next(iter(body.values()), {}).get("schema", {})
            ref = schema.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                schema = fragment["components"]["schemas"][ref.rsplit("/", 1)[1]]
            self.routes.append((b, re.compile(pattern + "$"), schema))
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
    def check(binding: Binding, request: httpx.Request, schema: dict[str, Any]) -> str:
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
        properties = set(schema.get("properties", {}))
        if fields - properties:
            return f"undeclared fields {sorted(fields - properties)}"
        missing = set(schema.get("required", ())) - fields
        return f"required fields missing {sorted(missing)}" if missing else ""


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


def value_for(param: Any) -> Any:
    kind = param.kind
    if kind == "enum":
        value: Any = param.choices[0]
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


def arguments(binding: Binding) -> tuple[list[str], dict[str, Any]]:
    path = []
    for p in binding.path_params:
        value = text_for(p.pattern)
        if value is None:
            raise LookupError(f"no value for {p.name} matching {p.pattern}")
        path.append(value)
    keywords = {p.name: value_for(p) for p in binding.keywords if getattr(p, "required", False)}
    return path, keywords


async def call_both(module: Any, service: Any, binding: Binding, checker: Checker) -> bool:
    """The operation, once sync and once async; True when both went through."""
    path, keywords = arguments(binding)
    sync_class = getattr(module, service.client)
    async_class = getattr(module, "Async" + service.client)
    base = "https://" + service.product + ".twilio.com"
    before = len(checker.failures)
    transport = httpx.MockTransport(checker)
    with sync_class(
        ACCOUNT, "token", base_url=base, http_client=httpx.Client(transport=transport)
    ) as c:
        result = c.operations[binding.operation_id](*path, **keywords)
        if binding.kind == "list":
            list(result)
    async with async_class(
        ACCOUNT, "token", base_url=base, http_client=httpx.AsyncClient(transport=transport)
    ) as a:
        result = a.operations[binding.operation_id](*path, **keywords)
        if binding.kind == "list":
            [item async for item in result]
        else:
            await result
    return len(checker.failures) == before


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


def sweep(specs: list[Path], root: Path) -> list[dict[str, Any]]:
    rows = []
    loaded: dict[str, tuple[Any, Any, list[Binding], dict[str, Any]]] = {}
    for spec_path in specs:
        spec = json.loads(spec_path.read_text())
        kinds = published(spec)
        row: dict[str, Any] = {
            "spec": spec_path.name,
            "kinds": kinds,
            "generated": set(),
            "notes": [],
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
            row["typed"], row["called"] = set(), set()
            continue
        row["typed"] = row["generated"] if not errors.get(row["package"]) else set()
        if errors.get(row["package"]):
            row["notes"].append(f"mypy --strict: {errors[row['package']]} errors")
        folder, service, bindings, fragment = loaded[row["spec"]]
        row["called"] = set()
        try:
            module = importlib.import_module(row["package"] + ".clients")
        except Exception as exc:
            row["notes"].append(f"import failed: {exc}"[:200])
            continue
        examples_decoded(importlib.import_module(row["package"] + ".operations"), fragment, row)
        checker = Checker(fragment, bindings)
        for binding in bindings:
            try:
                if asyncio.run(call_both(module, service, binding, checker)):
                    row["called"].add(binding.operation_id)
            except Exception as exc:
                row["notes"].append(
                    f"call {binding.operation_id}: {type(exc).__name__}: {exc}"[:200]
                )
        row["notes"] += checker.failures[:5]
    return rows


COLUMNS = ("generated", "typed", "called", "examples", "decoded")


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| spec | operations | generated | type-checks | called | examples | decoded |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    totals: dict[str, Counter[str]] = {k: Counter() for k in ("all", *COLUMNS)}
    for row in rows:
        kinds = row["kinds"]
        counts = [
            len(kinds),
            len(row["generated"]),
            len(row.get("typed", ())),
            len(row.get("called", ())),
            len(row.get("examples", ())),
            len(row.get("decoded", ())),
        ]
        lines.append(f"| {row['spec']} | " + " | ".join(map(str, counts)) + " |")
        for op_id, kind in kinds.items():
            totals["all"][kind] += 1
            for key in COLUMNS:
                if op_id in row.get(key, ()):
                    totals[key][kind] += 1
    total = [sum(totals[k].values()) for k in ("all", *COLUMNS)]
    lines.append("| **all** | " + " | ".join(f"**{n}**" for n in total) + " |")
    lines += [
        "",
        "| kind | operations | generated | type-checks | called | examples | decoded |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        if totals["all"][kind]:
            lines.append(
                f"| {kind} | " + " | ".join(str(totals[k][kind]) for k in ("all", *COLUMNS)) + " |"
            )
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
        "--require-all",
        action="store_true",
        help="exit 1 unless every operation was called and its documented examples decode",
    )
    args = parser.parse_args(argv)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    specs = args.specs or sorted(args.upstream.glob("twilio_*.json"))
    with tempfile.TemporaryDirectory() as scratch:
        rows = sweep(specs, Path(scratch))
    text = table(rows)
    print(text)
    if args.table:
        args.table.write_text(text)
    short = [
        f"{row['spec']}: {op_id}"
        for row in rows
        for op_id in row["kinds"]
        if not all(op_id in row.get(key, ()) for key in ("generated", "typed", "called"))
        or (op_id in row.get("examples", ()) and op_id not in row.get("decoded", ()))
    ]
    if args.require_all and short:
        print(f"{len(short)} operations not generated, type-checked and called", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
