"""Cut a minimal OpenAPI fragment out of a full upstream Twilio spec.

    python scripts/extract_fragment.py UPSTREAM.json spec/studio_v2_steps/extract.json [-o OUT]

The extract config names the operations to keep (by operationId or path), our
naming overrides, and `schema_overrides`: fragments of schema merged into the named
(renamed) schemas, for what Twilio sends but its spec leaves untyped; other keys (such
as "upstream", the file name scripts/update_spec.py expects) are ignored. The fragment
keeps those paths (with their `x-twilio` extensions), every component schema they
reference (transitively), the security schemes, the servers, and adds Twilio's error
schema as the `default` response of each kept operation. Output is deterministic: same
input, same bytes.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SCHEMA_REF = "#/components/schemas/"

# Twilio's documented error body (https://www.twilio.com/docs/usage/twilios-response).
# Upstream specs declare only success responses; we add this so the generated layer
# parses error bodies into a typed model instead of returning nothing.
TWILIO_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The body Twilio returns with every 4xx and 5xx response.",
    "properties": {
        "code": {"type": "integer", "description": "Twilio's error code, e.g. 20404."},
        "message": {"type": "string", "description": "A human-readable description."},
        "more_info": {
            "type": "string",
            "format": "uri",
            "description": "A link to the error's documentation.",
        },
        "status": {"type": "integer", "description": "The HTTP status code."},
        "details": {
            "type": "object",
            "nullable": True,
            "description": "Extra machine-readable details, when Twilio sends them.",
        },
    },
}


class ExtractError(Exception):
    pass


def iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from iter_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_refs(value)


def rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                name = value[len(SCHEMA_REF) :]
                out[key] = SCHEMA_REF + renames.get(name, name)
            else:
                out[key] = rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [rewrite_refs(value, renames) for value in node]
    return node


def select_paths(upstream: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """Keep the path items holding the wanted operations; drop their other methods."""
    kept: dict[str, Any] = {}
    found: set[str] = set()
    for path, item in upstream.get("paths", {}).items():
        methods = {
            method: op
            for method, op in item.items()
            if method in HTTP_METHODS and (op.get("operationId") in wanted or path in wanted)
        }
        if not methods:
            continue
        found.update(op.get("operationId", "") for op in methods.values())
        if path in wanted:
            found.add(path)
        extras = {key: value for key, value in item.items() if key not in HTTP_METHODS}
        kept[path] = {**extras, **methods}
    kept = dict(sorted(kept.items()))  # the upstream's order of paths is not ours to keep
    missing = [name for name in wanted if name not in found]
    if missing:
        raise ExtractError(f"not found in the upstream spec: {', '.join(missing)}")
    return kept


INLINED = ("#/components/parameters/", "#/components/responses/", "#/components/examples/")


def inline_components(node: Any, upstream: dict[str, Any]) -> Any:
    """Shared parameters, responses and examples (`$ref` to components/parameters,
    /responses or /examples) copied in where they are used: the fragment keeps component
    schemas only."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(INLINED):
            section, name = ref[len("#/components/") :].split("/", 1)
            target = upstream.get("components", {}).get(section, {}).get(name)
            if target is None:
                raise ExtractError(f"dangling $ref: {ref}")
            return inline_components(copy.deepcopy(target), upstream)
        return {key: inline_components(value, upstream) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_components(value, upstream) for value in node]
    return node


def referenced_schemas(upstream: dict[str, Any], roots: Any) -> list[str]:
    schemas = upstream.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    todo = list(iter_refs(roots))
    while todo:
        ref = todo.pop()
        if not ref.startswith(SCHEMA_REF):
            raise ExtractError(f"unsupported $ref (only component schemas are): {ref}")
        name = ref[len(SCHEMA_REF) :]
        if name in seen:
            continue
        if name not in schemas:
            raise ExtractError(f"dangling $ref: {ref}")
        seen.add(name)
        todo.extend(iter_refs(schemas[name]))
    return sorted(seen)


def add_error_responses(paths: dict[str, Any]) -> None:
    for item in paths.values():
        for method, op in item.items():
            if method in HTTP_METHODS:
                op.setdefault("responses", {})["default"] = {
                    "description": "Error",
                    "content": {
                        "application/json": {"schema": {"$ref": SCHEMA_REF + "TwilioError"}}
                    },
                }


def merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Merge `patch` into `target` in place: objects key by key, anything else replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def extract(upstream: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    operations = config["operations"]
    renames: dict[str, str] = config.get("schema_names", {})
    paths = inline_components(select_paths(upstream, operations), upstream)
    names = referenced_schemas(upstream, paths)
    unknown = sorted(set(renames) - set(names))
    if unknown:
        raise ExtractError(f"schema_names renames schemas the fragment lacks: {unknown}")

    all_schemas = upstream["components"]["schemas"]
    schemas = {renames.get(name, name): copy.deepcopy(all_schemas[name]) for name in names}
    for name, patch in config.get("schema_overrides", {}).items():
        if name not in schemas:
            raise ExtractError(f"schema_overrides names a schema the fragment lacks: {name}")
        merge(schemas[name], patch)
    if config.get("error_schema", True):
        schemas["TwilioError"] = copy.deepcopy(TWILIO_ERROR_SCHEMA)
        add_error_responses(paths)

    info = dict(upstream.get("info", {}))
    if "title" in config:
        info["title"] = config["title"]
    fragment: dict[str, Any] = {
        "openapi": upstream["openapi"],
        "info": info,
        "servers": upstream.get("servers", []),
        "security": upstream.get("security", []),
        "paths": rewrite_refs(paths, renames),
        "components": {
            "securitySchemes": upstream.get("components", {}).get("securitySchemes", {}),
            "schemas": rewrite_refs(dict(sorted(schemas.items())), renames),
        },
    }
    return fragment


def dump(fragment: dict[str, Any]) -> str:
    return json.dumps(fragment, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream", type=Path, help="full upstream OpenAPI spec (JSON)")
    parser.add_argument("config", type=Path, help="extract config (JSON)")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = dump(
            extract(json.loads(args.upstream.read_text()), json.loads(args.config.read_text()))
        )
    except (ExtractError, KeyError, json.JSONDecodeError) as exc:
        print(f"extract_fragment: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
