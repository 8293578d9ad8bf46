"""Summarise what changed for users of the client between two OpenAPI fragments.

    python scripts/spec_changes.py OLD.json NEW.json [--fail-on-breaking]

Prints one line per change, grouped by operation: parameters added, removed or changed
(type, format, required, nullable, enum, pattern, min/max, default), and for every
request and response schema, with $refs followed into components (inline schemas such as
a list response's `meta` included), fields added or removed and type, format,
nullability, enum and constraint changes. The `default` (error) responses are compared
like any other. Changes that can break code written against the old client are marked
BREAKING:

* an operation, parameter, response, media type, header or field removed;
* a type changed, or a string format the generated Python type depends on (date-time,
  date, binary, uuid);
* a new required parameter or request field, or one made required;
* a request value made non-nullable, or a response field made nullable (or optional);
* a request constraint tightened (new or changed pattern, higher minimum, lower maximum)
  or enum values removed from a request; enum values added to a response (the client
  generates Literal types, which reject values they do not list);
* a security scheme changed or removed.

Descriptions, examples and `x-` extensions are ignored. When nothing a user can notice
changed, the output is exactly `no change`. The order is deterministic: spec-wide
changes first, then operations by path and method, parameters by location and name,
responses by status, fields by name.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAM_LOCATIONS = ("path", "query", "header", "cookie")
REQUEST, RESPONSE = "request", "response"
SPEC_SCOPE = "spec-wide"

# Constraints where a larger new value rejects values the old one accepted, and the reverse.
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
COMPOSITIONS = ("allOf", "oneOf", "anyOf")
# String formats openapi-python-client turns into another Python type (datetime, date,
# File, UUID): changing to or from one of them changes the generated type. Other format
# changes (int32 -> int64, uri -> uri-map) leave the generated type as it was.
TYPED_FORMATS = frozenset({"date-time", "date", "binary", "uuid"})


class SpecError(Exception):
    """The spec cannot be compared (unreadable file, dangling or external $ref)."""


@dataclass(frozen=True)
class Change:
    """One user-visible difference between the old and the new spec."""

    scope: str  # "GET /path (operationId)", or "spec-wide"
    subject: str  # e.g. "query parameter PageSize", "response 200 field meta.page_size"
    kind: str  # "added" | "removed" | "changed"
    detail: str  # e.g. "type integer -> string"
    breaking: bool


SpecLike = Mapping[str, Any] | str | Path


def load(spec: SpecLike) -> Mapping[str, Any]:
    if isinstance(spec, Mapping):
        return spec
    try:
        data = json.loads(Path(spec).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SpecError(f"cannot read {spec}: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{spec}: not a JSON object")
    return data


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _type_and_nullable(schema: Mapping[str, Any]) -> tuple[str, bool]:
    """The schema's type ("any" when unset) and nullability, for OpenAPI 3.0 and 3.1."""
    kind = schema.get("type")
    nullable = schema.get("nullable") is True
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kind = "|".join(sorted(str(k) for k in kind if k != "null")) or None
    return (str(kind) if kind else "any"), nullable


def _type_label(schema: Mapping[str, Any]) -> str:
    kind, _ = _type_and_nullable(schema)
    if "format" in schema:
        kind += f" ({schema['format']})"
    return kind


@dataclass(frozen=True)
class _At:
    """Where a schema sits: "response 200 body", "response 200 field meta.page_size"."""

    root: str  # the subject of the whole schema, e.g. "response 200 body"
    prefix: str  # what its fields' subjects start with, e.g. "response 200"
    path: str = ""

    @property
    def subject(self) -> str:
        return f"{self.prefix} field {self.path}" if self.path else self.root

    def child(self, name: str) -> _At:
        if name.startswith(("[", "{", "<")):  # array items, map values, alternatives
            return _At(self.root, self.prefix, self.path + name)
        return _At(self.root, self.prefix, f"{self.path}.{name}" if self.path else name)


Stack = frozenset[tuple[str | None, str | None]]


@dataclass
class _Differ:
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    changes: list[Change] = field(default_factory=list)
    scope: str = SPEC_SCOPE

    def emit(self, subject: str, kind: str, detail: str, breaking: bool) -> None:
        self.changes.append(Change(self.scope, subject, kind, detail, breaking))

    @staticmethod
    def resolve(spec: Mapping[str, Any], node: Any) -> tuple[Any, str | None]:
        """Follow a chain of local $refs; return the target and the last ref followed."""
        last: str | None = None
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise SpecError(f"external $ref not supported: {ref}")
            if ref in seen:
                raise SpecError(f"$ref cycle: {ref}")
            seen.add(ref)
            target: Any = spec
            for token in ref[2:].split("/"):
                part = token.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, Mapping) or part not in target:
                    raise SpecError(f"dangling $ref: {ref}")
                target = target[part]
            node, last = target, ref
        return node, last

    def describe(self, spec: Mapping[str, Any], schema: Any, required: bool = False) -> str:
        """A short description of a schema: "string, format date-time, nullable"."""
        schema, _ = self.resolve(spec, schema or {})
        text, nullable = _type_and_nullable(schema)
        if text == "array" and isinstance(schema.get("items"), Mapping):
            items, _ = self.resolve(spec, schema["items"])
            text = f"array of {_type_label(items)}"
        elif "format" in schema:
            text += f", format {schema['format']}"
        if required:
            text += ", required"
        if nullable:
            text += ", nullable"
        return text

    # -- schemas ------------------------------------------------------------------------

    def schema(
        self, at: _At, old: Any, new: Any, direction: str, stack: Stack = frozenset()
    ) -> None:
        """Compare two schemas; `direction` says whether the client sends or receives them."""
        old, old_ref = self.resolve(self.old, old or {})
        new, new_ref = self.resolve(self.new, new or {})
        if old_ref or new_ref:
            if (old_ref, new_ref) in stack:  # a recursive schema, already being compared
                return
            stack = stack | {(old_ref, new_ref)}
        request = direction == REQUEST
        subject = at.subject

        old_type, old_null = _type_and_nullable(old)
        new_type, new_null = _type_and_nullable(new)
        if old_type != new_type:
            self.emit(subject, "changed", f"type {_type_label(old)} -> {_type_label(new)}", True)
        elif old.get("format") != new.get("format"):
            before, after = old.get("format", "(none)"), new.get("format", "(none)")
            retyped = new_type == "string" and bool({before, after} & TYPED_FORMATS)
            self.emit(subject, "changed", f"format {before} -> {after}", retyped)
        if old_null != new_null:
            if new_null:
                self.emit(subject, "changed", "now nullable", not request)
            else:
                self.emit(subject, "changed", "no longer nullable", request)
        if old_type != new_type:
            return  # anything else would only restate the type change

        self.enum(subject, old.get("enum"), new.get("enum"), request)
        self.constraints(subject, old, new, request)
        for key in ("default", "title"):
            if old.get(key) != new.get(key):
                before, after = _show(old.get(key, "(none)")), _show(new.get(key, "(none)"))
                note = " (the generated class name may change)" if key == "title" else ""
                self.emit(subject, "changed", f"{key} {before} -> {after}{note}", False)
        if bool(old.get("deprecated")) != bool(new.get("deprecated")):
            text = "now deprecated" if new.get("deprecated") else "no longer deprecated"
            self.emit(subject, "changed", text, False)

        self.properties(at, old, new, direction, stack)
        if "items" in old or "items" in new:
            self.schema(at.child("[]"), old.get("items"), new.get("items"), direction, stack)
        before, after = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            self.schema(at.child("{}"), before, after, direction, stack)
        elif before != after:
            detail = f"additionalProperties {_show(before)} -> {_show(after)}"
            self.emit(subject, "changed", detail, request and after is False)
        for key in COMPOSITIONS:
            olds, news = old.get(key) or [], new.get(key) or []
            if len(olds) != len(news):
                self.emit(subject, "changed", f"{key}: {len(olds)} -> {len(news)} schemas", True)
                continue
            for index, (one, other) in enumerate(zip(olds, news, strict=True)):
                self.schema(at.child(f"<{key}[{index}]>"), one, other, direction, stack)

    def enum(self, subject: str, old: Any, new: Any, request: bool) -> None:
        if old == new:
            return
        if old is None:
            self.emit(subject, "changed", f"now restricted to {_show(new)}", True)
        elif new is None:
            self.emit(subject, "changed", "no longer restricted to an enum", not request)
        else:
            added = [value for value in new if value not in old]
            removed = [value for value in old if value not in new]
            if added:
                self.emit(subject, "changed", f"enum values added: {_show(added)}", not request)
            if removed:
                self.emit(subject, "changed", f"enum values removed: {_show(removed)}", request)

    def constraints(
        self, subject: str, old: Mapping[str, Any], new: Mapping[str, Any], request: bool
    ) -> None:
        """Constraint changes; BREAKING on request values when they reject more."""
        for key in ("pattern", *LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf", "uniqueItems"):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            if after is None:
                detail, tighter = f"{key} {_show(before)} removed", False
            elif before is None:
                detail, tighter = f"{key} {_show(after)} added", True
            else:
                detail, tighter = f"{key} {_show(before)} -> {_show(after)}", True
                numbers = not isinstance(before, bool) and not isinstance(after, bool)
                if numbers and key in LOWER_BOUNDS:
                    tighter = after > before
                elif numbers and key in UPPER_BOUNDS:
                    tighter = after < before
                elif isinstance(after, bool):  # OpenAPI 3.0 exclusive*, uniqueItems
                    tighter = after
            self.emit(subject, "changed", detail, request and tighter)

    def properties(
        self, at: _At, old: Mapping[str, Any], new: Mapping[str, Any], direction: str, stack: Stack
    ) -> None:
        olds: Mapping[str, Any] = old.get("properties") or {}
        news: Mapping[str, Any] = new.get("properties") or {}
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        request = direction == REQUEST
        for name in sorted(set(olds) | set(news)):
            where = at.child(name)
            if name not in news:
                was = self.describe(self.old, olds[name], name in old_required)
                self.emit(where.subject, "removed", f"removed (was {was})", True)
                continue
            if name not in olds:
                required = name in new_required
                now = self.describe(self.new, news[name], required)
                self.emit(where.subject, "added", f"added ({now})", request and required)
                continue
            if name in old_required and name not in new_required:
                text = "no longer required" + ("" if request else " (may be absent)")
                self.emit(where.subject, "changed", text, not request)
            elif name in new_required and name not in old_required:
                self.emit(where.subject, "changed", "now required", request)
            self.schema(where, olds[name], news[name], direction, stack)

    # -- operations ---------------------------------------------------------------------

    def operations(self, spec: Mapping[str, Any]) -> dict[str, tuple[str, str, Any, Any]]:
        """operationId (or "METHOD path") -> (method, path, path item, operation)."""
        found: dict[str, tuple[str, str, Any, Any]] = {}
        for path, raw in (spec.get("paths") or {}).items():
            item, _ = self.resolve(spec, raw)
            for method in HTTP_METHODS:
                if method in item:
                    op = item[method]
                    found[op.get("operationId") or f"{method.upper()} {path}"] = (
                        method,
                        path,
                        item,
                        op,
                    )
        return found

    def parameters(self, spec: Mapping[str, Any], item: Any, op: Any) -> dict[Any, Any]:
        """(location, name) -> parameter; the operation's override the path item's."""
        params: dict[tuple[str, str], Any] = {}
        for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            param, _ = self.resolve(spec, raw)
            params[(param.get("in", ""), param.get("name", ""))] = param
        return params

    @staticmethod
    def param_schema(param: Mapping[str, Any]) -> Any:
        if "schema" in param:
            return param["schema"]
        for media in (param.get("content") or {}).values():
            return media.get("schema")
        return None

    def compare_parameters(self, olds: dict[Any, Any], news: dict[Any, Any]) -> None:
        def order(key: tuple[str, str]) -> tuple[int, str, str]:
            where, name = key
            known = where in PARAM_LOCATIONS
            return (PARAM_LOCATIONS.index(where) if known else len(PARAM_LOCATIONS)), where, name

        for key in sorted(set(olds) | set(news), key=order):
            subject = f"{key[0]} parameter {key[1]}"
            if key not in news:
                old = olds[key]
                was = self.describe(self.old, self.param_schema(old), bool(old.get("required")))
                self.emit(subject, "removed", f"removed (was {was})", True)
                continue
            new = news[key]
            if key not in olds:
                required = bool(new.get("required"))
                now = self.describe(self.new, self.param_schema(new), required)
                self.emit(subject, "added", f"added ({now})", required)
                continue
            old = olds[key]
            if bool(old.get("required")) != bool(new.get("required")):
                if new.get("required"):
                    self.emit(subject, "changed", "now required", True)
                else:
                    self.emit(subject, "changed", "no longer required", False)
            if bool(old.get("deprecated")) != bool(new.get("deprecated")):
                text = "now deprecated" if new.get("deprecated") else "no longer deprecated"
                self.emit(subject, "changed", text, False)
            at = _At(subject, subject)
            self.schema(at, self.param_schema(old), self.param_schema(new), REQUEST)

    def content(self, prefix: str, old: Any, new: Any, direction: str) -> None:
        """Compare the media types (and their schemas) of a request body or a response."""
        olds: Mapping[str, Any] = old or {}
        news: Mapping[str, Any] = new or {}
        # Name the media type only when there is a choice of them.
        plain = len(set(olds) | set(news)) == 1 or not olds
        for media in sorted(set(olds) | set(news)):
            at = (
                _At(f"{prefix} body", prefix)
                if plain
                else _At(f"{prefix} body ({media})", f"{prefix} ({media})")
            )
            if media not in news:
                self.emit(at.root, "removed", f"media type {media} removed", True)
            elif media not in olds:
                now = self.describe(self.new, news[media].get("schema"))
                self.emit(at.root, "added", f"media type {media} added ({now})", False)
            else:
                old_schema, new_schema = olds[media].get("schema"), news[media].get("schema")
                self.schema(at, old_schema, new_schema, direction)

    def compare_request_body(self, old: Any, new: Any) -> None:
        old_body, _ = self.resolve(self.old, old or {})
        new_body, _ = self.resolve(self.new, new or {})
        if bool(old_body.get("required")) != bool(new_body.get("required")):
            required = bool(new_body.get("required"))
            text = "now required" if required else "no longer required"
            self.emit("request body", "changed", text, required)
        self.content("request", old_body.get("content"), new_body.get("content"), REQUEST)

    def compare_responses(self, old: Any, new: Any) -> None:
        olds: Mapping[str, Any] = old or {}
        news: Mapping[str, Any] = new or {}
        for status in sorted(set(olds) | set(news), key=str):
            prefix = f"response {status}"
            if status not in news:
                self.emit(prefix, "removed", "removed", True)
                continue
            if status not in olds:
                self.emit(prefix, "added", "added", False)
                continue
            before, _ = self.resolve(self.old, olds[status])
            after, _ = self.resolve(self.new, news[status])
            self.content(prefix, before.get("content"), after.get("content"), RESPONSE)
            old_headers = before.get("headers") or {}
            new_headers = after.get("headers") or {}
            for name in sorted(set(old_headers) | set(new_headers)):
                subject = f"{prefix} header {name}"
                if name not in new_headers:
                    self.emit(subject, "removed", "removed", True)
                elif name not in old_headers:
                    self.emit(subject, "added", "added", False)
                else:
                    old_header, _ = self.resolve(self.old, old_headers[name])
                    new_header, _ = self.resolve(self.new, new_headers[name])
                    at = _At(subject, subject)
                    self.schema(at, old_header.get("schema"), new_header.get("schema"), RESPONSE)

    def compare_security(self, old: Any, new: Any) -> None:
        if _show(old or []) != _show(new or []):
            self.emit("security", "changed", f"{_show(old or [])} -> {_show(new or [])}", True)

    def compare_servers(self, old: Any, new: Any) -> None:
        before = [server.get("url") for server in old or []]
        after = [server.get("url") for server in new or []]
        if before != after:
            self.emit("servers", "changed", f"{_show(before)} -> {_show(after)}", False)

    def compare_security_schemes(self) -> None:
        olds = (self.old.get("components") or {}).get("securitySchemes") or {}
        news = (self.new.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(set(olds) | set(news)):
            subject = f"security scheme {name}"
            if name not in news:
                self.emit(subject, "removed", "removed", True)
            elif name not in olds:
                self.emit(subject, "added", "added", False)
            else:
                before = {k: v for k, v in olds[name].items() if k != "description"}
                after = {k: v for k, v in news[name].items() if k != "description"}
                if before != after:
                    self.emit(subject, "changed", f"{_show(before)} -> {_show(after)}", True)

    def run(self) -> list[Change]:
        self.scope = SPEC_SCOPE
        self.compare_servers(self.old.get("servers"), self.new.get("servers"))
        self.compare_security_schemes()

        old_ops, new_ops = self.operations(self.old), self.operations(self.new)

        def order(key: str) -> tuple[str, int, str]:
            method, path, _, _ = new_ops.get(key) or old_ops[key]
            return path, HTTP_METHODS.index(method), key

        for key in sorted(set(old_ops) | set(new_ops), key=order):
            method, path, item, op = new_ops.get(key) or old_ops[key]
            self.scope = f"{method.upper()} {path}"
            if op.get("operationId"):
                self.scope += f" ({op['operationId']})"
            if key not in new_ops:
                self.emit("operation", "removed", "removed", True)
                continue
            if key not in old_ops:
                self.emit("operation", "added", "added", False)
                continue
            old_method, old_path, old_item, old_op = old_ops[key]
            if (old_method, old_path) != (method, path):
                detail = f"moved from {old_method.upper()} {old_path}"
                self.emit("operation", "changed", detail, True)
            if bool(old_op.get("deprecated")) != bool(op.get("deprecated")):
                text = "now deprecated" if op.get("deprecated") else "no longer deprecated"
                self.emit("operation", "changed", text, False)
            self.compare_servers(
                old_op.get("servers", old_item.get("servers")),
                op.get("servers", item.get("servers")),
            )
            self.compare_security(
                old_op.get("security", self.old.get("security")),
                op.get("security", self.new.get("security")),
            )
            self.compare_parameters(
                self.parameters(self.old, old_item, old_op), self.parameters(self.new, item, op)
            )
            self.compare_request_body(old_op.get("requestBody"), op.get("requestBody"))
            self.compare_responses(old_op.get("responses"), op.get("responses"))
        return self.changes


def diff_specs(old: SpecLike, new: SpecLike) -> list[Change]:
    """The user-visible changes from `old` to `new` (dicts, or paths to JSON files)."""
    return _Differ(load(old), load(new)).run()


def iter_lines(changes: list[Change]) -> Iterator[str]:
    for scope, group in groupby(changes, key=lambda change: change.scope):
        yield scope
        for change in group:
            marker = "BREAKING" if change.breaking else " " * len("BREAKING")
            yield f"  {marker}  {change.subject}: {change.detail}"


def format_changes(changes: list[Change]) -> str:
    """The human summary; exactly "no change" when the list is empty."""
    if not changes:
        return "no change"
    breaking = sum(change.breaking for change in changes)
    noun = "change" if len(changes) == 1 else "changes"
    return "\n".join([*iter_lines(changes), f"{len(changes)} {noun}, {breaking} breaking"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the old fragment (JSON)")
    parser.add_argument("new", type=Path, help="the new fragment (JSON)")
    parser.add_argument(
        "--fail-on-breaking", action="store_true", help="exit 1 when a change is BREAKING"
    )
    args = parser.parse_args(argv)
    try:
        changes = diff_specs(args.old, args.new)
    except SpecError as exc:
        print(f"spec_changes: {exc}", file=sys.stderr)
        return 2
    print(format_changes(changes))
    return 1 if args.fail_on_breaking and any(c.breaking for c in changes) else 0


if __name__ == "__main__":
    sys.exit(main())
