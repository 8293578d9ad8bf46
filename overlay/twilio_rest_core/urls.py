"""Base URL resolution and the rule for which URLs may receive credentials.

Every check parses with httpx.URL, the parser that builds the request sent: a URL is
judged by the scheme, host, port and userinfo that would go on the wire.
"""

from __future__ import annotations

import os

import httpx

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
    try:
        parts = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise ConfigurationError(f"base_url {base_url!r} is not a valid URL ({exc})") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.host:
        raise ConfigurationError(f"base_url {base_url!r} must be an absolute http(s) URL")
    if parts.userinfo:
        raise ConfigurationError("base_url must not carry credentials; use the client's arguments")
    if parts.query or parts.fragment or "#" in base_url:
        raise ConfigurationError(f"base_url {base_url!r} must not have a query or fragment")
    if parts.scheme == "http" and parts.host not in D.LOOPBACK_HOSTS:
        raise ConfigurationError(
            f"base_url {base_url!r} uses plain http, which would send credentials in the "
            "clear; only loopback hosts (127.0.0.1, localhost) may use http"
        )


def origin(url: httpx.URL) -> Origin:
    """(scheme, host as sent, port), the default port filled in."""
    port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
    return (url.scheme, url.raw_host.decode("ascii", "replace").lower(), port)


def foreign_reason(url: httpx.URL, expected: Origin) -> str | None:
    """Why the request URL `url` may not receive this client's credentials, or None."""
    found = origin(url)
    if url.userinfo:
        return "it carries userinfo"
    if found != expected:
        scheme, host, port = expected
        return f"it is not on {scheme}://{host}:{port}, the client's base URL"
    return None
