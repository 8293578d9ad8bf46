"""The response schemas as the models are generated from them: read the way Twilio sends.

Twilio's own documented examples break its schemas (numbers sent as strings, `null` where
a field is not marked nullable, `required` fields absent, enum values added after the spec
was written), and real traffic does the same; its own clients validate nothing on decode.
So every response property is nullable and optional, and an enum is its known values or
any other string (`Literal[...] | str`). A `number` is a number or a string (Twilio sends
`price` as "-0.0075"), kept as sent: msgspec's lax mode (strict=False) would accept the
string too, but also a Unix timestamp for any date-time and "1" for any boolean.

The one exception are a resource's **identity fields**: the properties named after the
path parameters of the resource's own instance path (`/Flows/{FlowSid}/Executions/{Sid}`
gives `flow_sid` and `sid` to the schema that path answers with). Twilio addresses the
resource by them, so every response that carries the resource carries them, never null:
they are required and typed `str`, and a user passes `step.sid` back without narrowing.
Less any that one of Twilio's documented bodies of the resource leaves out (Messaging's
DNS validation example has no `domain_sid`).

A schema that is one of several objects (`oneOf`/`anyOf`) is read as one object with all
their fields: which member a body is matters less than reading it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_REF = "#/components/schemas/"


def snake(name: str) -> str:
    """Twilio's path parameter name as its response property is spelled (FlowSid -> flow_sid)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def identity_fields(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Schema name -> its identity fields (see the module docstring)."""
    schemas = spec.get("components", {}).get("schemas", {})
    found: dict[str, set[str]] = {}
    for path, item in spec.get("paths", {}).items():
        if item.get("x-twilio", {}).get("pathType") != "instance":
            continue
        content = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        ref = next(iter(content.values()), {}).get("schema", {}).get("$ref", "")
        if not ref.startswith(_REF) or ref[len(_REF) :] not in schemas:
            continue
        name = ref[len(_REF) :]
        properties = schemas[name].get("properties") or {}
        fields = {snake(p) for p in re.findall(r"\{(\w+)\}", path)}
        fields = {f for f in fields if properties.get(f, {}).get("type") == "string"}
        found.setdefault(name, set()).update(fields)
    # A field one of Twilio's own documented bodies of the resource leaves out is not one
    # Twilio always sends.
    for name, body in _documented_bodies(spec):
        if name in found:
            found[name] &= set(body)
    return found


def _documented_bodies(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(schema name, example body) for every documented success body that is one
    resource (a fetch, create or update answers with the schema itself)."""
    bodies = []
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for status, response in op.get("responses", {}).items():
                for media in response.get("content", {}).values() if status[:1] == "2" else ():
                    ref = media.get("schema", {}).get("$ref", "")
                    for example in media.get("examples", {}).values():
                        if ref.startswith(_REF) and isinstance(example.get("value"), dict):
                            bodies.append((ref[len(_REF) :], example["value"]))
    return bodies


def lenient_responses(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with every object schema read leniently (see the module docstring)."""
    schemas = spec.get("components", {}).get("schemas")
    if not schemas:
        return spec
    schemas = _members_merged(schemas)
    spec = {**spec, "components": {**spec["components"], "schemas": schemas}}
    identity = identity_fields(spec)
    lenient = {
        name: _component(schema, identity.get(name, set()), schemas)
        if schema.get("properties")
        else schema
        for name, schema in schemas.items()
    }
    return {**spec, "components": {**spec["components"], "schemas": lenient}}


def _members_merged(schemas: dict[str, Any]) -> dict[str, Any]:
    """Each component that is only a `oneOf`/`anyOf` of objects made one object with every
    member's fields (merged_properties). Every field is optional anyway, so a body of
    any member decodes, and the fields it lacks are UNSET (messaging_v1's A2P campaign
    answers in two versions, the second with two more)."""
    merged = dict(schemas)
    for name, schema in schemas.items():
        members = schema.get("oneOf") or schema.get("anyOf")
        if members and not schema.get("properties"):
            resolved = [
                schemas.get(m.get("$ref", "")[len(_REF) :], m)
                if m.get("$ref", "").startswith(_REF)
                else m
                for m in members
            ]
            if all(member.get("properties") for member in resolved):
                words = {k: v for k, v in schema.items() if k == "description"}
                properties = merged_properties(resolved)
                merged[name] = {"type": "object", **words, "properties": properties}
    return merged


def merged_properties(members: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of several object schemas (a `oneOf`'s members) together: a field in
    several is the first member's, but an enum takes every member's values."""
    fields: dict[str, Any] = {}
    for member in members:
        for name, prop in member.get("properties", {}).items():
            known = fields.setdefault(name, prop)
            if known is not prop and "enum" in known and "enum" in prop:
                values = [*known["enum"], *(v for v in prop["enum"] if v not in known["enum"])]
                fields[name] = {**known, "enum": values}
    return fields


def _component(
    schema: dict[str, Any], identity: set[str], schemas: dict[str, Any]
) -> dict[str, Any]:
    """A named object schema. Never nullable itself: each property that refers to it
    is (`_value`). openapi-python-client makes a nullable object a union, and refuses one
    with an inline object anywhere below it (messaging_v2's sender profile)."""
    result = _object(schema, identity, schemas)
    result.pop("nullable", None)
    return result


def _object(schema: dict[str, Any], identity: set[str], schemas: dict[str, Any]) -> dict[str, Any]:
    result = {key: value for key, value in schema.items() if key != "required"}
    properties = {}
    for name, prop in schema["properties"].items():
        if name in identity:
            properties[name] = {k: v for k, v in prop.items() if k != "nullable"}
        else:
            properties[name] = _value(prop, schemas)
    result["properties"] = properties
    if identity:
        result["required"] = sorted(identity)
    return result


def _is_enum(prop: dict[str, Any], schemas: dict[str, Any]) -> bool:
    ref = prop.get("$ref", "")
    target = schemas.get(ref[len(_REF) :], {}) if ref.startswith(_REF) else prop
    return "enum" in target and target.get("type", "string") == "string"


def _value(prop: dict[str, Any], schemas: dict[str, Any], *, nullable: bool = True) -> Any:
    """One property's schema, nullable (unless `nullable` is False: list items)."""
    described = {k: prop[k] for k in ("description",) if k in prop}
    extra = {"nullable": True} if nullable else {}
    if _is_enum(prop, schemas):
        known = {k: v for k, v in prop.items() if k not in ("nullable", "description")}
        ref = prop.get("$ref", "")
        if not described and ref.startswith(_REF):  # the enum's own words, as before
            described = {k: v for k, v in schemas[ref[len(_REF) :]].items() if k == "description"}
        return {"anyOf": [known, {"type": "string"}], **extra, **described}
    if "$ref" in prop:
        return {"anyOf": [{"$ref": prop["$ref"]}], **extra, **described}
    if prop.get("type") == "number":
        known = {k: v for k, v in prop.items() if k not in ("nullable", "description")}
        return {"anyOf": [known, {"type": "string"}], **extra, **described}
    result = copy.deepcopy(prop)
    if result.get("type") == "array" and isinstance(result.get("items"), dict):
        result["items"] = _value(result["items"], schemas, nullable=False)
    if result.get("type") == "object" and result.get("properties"):
        result = _object(result, set(), schemas)
    if nullable:
        result["nullable"] = True
    elif "nullable" in result:
        del result["nullable"]
    return result
