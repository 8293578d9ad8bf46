"""Base URL resolution and the rule for which URLs may receive credentials."""

from __future__ import annotations

import os
from urllib.parse import SplitResult, urlsplit

from . import defaults as D
from .errors import ConfigurationError

_DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def resolve_base_url(
    product: str, base_url: str | None, region: str | None, edge: str | None
) -> str:
    """https://{product}.twilio.com, or its regional form {product}.{edge}.{region}.twilio.com."""
    if base_url is not None:
        check_base_url(base_url)
        return base_url.rstrip("/")
    region = region or os.environ.get(D.ENV_REGION) or None
    edge = edge or os.environ.get(D.ENV_EDGE) or None
    if edge and not region:
        region = D.DEFAULT_REGION
    labels = [product, *(label for label in (edge, region) if label), "twilio", "com"]
    for label in labels:
        if not label.replace("-", "").isalnum():
            raise ConfigurationError(f"region/edge {label!r} is not a valid host label")
    return "https://" + ".".join(labels)


def check_base_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ConfigurationError(f"base_url {base_url!r} must be an absolute http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("base_url must not carry credentials; use the client's arguments")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base_url {base_url!r} must not have a query or fragment")
    if parts.scheme == "http" and parts.hostname not in D.LOOPBACK_HOSTS:
        raise ConfigurationError(
            f"base_url {base_url!r} uses plain http, which would send credentials in the "
            "clear; only loopback hosts (127.0.0.1, localhost) may use http"
        )


def origin(parts: SplitResult) -> Origin:
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def foreign_reason(url: str, expected: Origin) -> str | None:
    """Why `url` may not receive this client's credentials, or None when it may."""
    try:
        parts = urlsplit(url)
        found = origin(parts)
    except ValueError as exc:
        return f"it is not a valid URL ({exc})"
    if parts.username is not None or parts.password is not None:
        return "it carries userinfo"
    if found != expected:
        scheme, host, port = expected
        return f"it is not on {scheme}://{host}:{port}, the client's base URL"
    return None
