"""Which proxies may carry a client's requests: none that would read its credentials.

A plain-http base URL is always loopback (urls.py), and a proxy in between would see the
Authorization header in clear. A client made here does not read proxies from the
environment for a loopback host; a caller's http_client that routes a plain-http base URL
through a proxy is refused before any request.
"""

from __future__ import annotations

import httpx

from . import defaults as D
from .errors import ConfigurationError


def environment_proxies_allowed(base_url: str) -> bool:
    """Whether a client made here may take HTTP(S)_PROXY/ALL_PROXY from the environment:
    not for a loopback host, which a proxy elsewhere cannot even reach."""
    return httpx.URL(base_url).host not in D.LOOPBACK_HOSTS


def check_caller_proxy(http: httpx.Client | httpx.AsyncClient, base_url: str) -> None:
    """Refuse a caller's client that would send a plain-http base URL through a proxy."""
    url = httpx.URL(base_url)
    if url.scheme != "http":
        return  # https through a proxy is a CONNECT tunnel: the proxy sees no header
    import httpcore  # loaded by now: the caller's client has its transports

    proxies = (httpcore.HTTPProxy, httpcore.AsyncHTTPProxy)
    socks = (httpcore.SOCKSProxy, httpcore.AsyncSOCKSProxy)
    transport = http._transport_for_url(url)
    if isinstance(getattr(transport, "_pool", None), proxies + socks):
        raise ConfigurationError(
            f"the http_client routes {base_url} through a proxy, which would read the "
            "credentials in clear (plain http): give it no proxy for this host "
            "(trust_env=False, or mounts={'all://HOST': None})"
        )
