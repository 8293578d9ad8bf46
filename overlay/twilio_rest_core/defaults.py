"""Every default and limit of the core, in one place, with where it comes from."""

from __future__ import annotations

from typing import Any

# The core ships in the same distribution as the services built on it, and shares its version.
VERSION = "0.1.0"

# Seconds for one HTTP attempt. twilio-python sets none, so a stalled socket hangs forever.
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0

# The most one response body may be, decoded (after gzip): a page of 1000 items is 1 to 2 MB.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024

# Retries after the first attempt (so 3 attempts in all), as openai-python and stripe do.
DEFAULT_MAX_RETRIES = 2
# Full-jitter exponential backoff: sleep uniform(0, min(BACKOFF_MAX, BACKOFF_BASE * 2**n)).
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_MAX = 8.0
# A Retry-After longer than this is not waited for: the error is raised instead.
DEFAULT_RETRY_AFTER_MAX = 60.0

# Requests a fan-out (many listings, a trace) keeps in flight at once. Twilio answers
# 429 past an account's concurrency limit; the clients learn that limit and keep below it.
DEFAULT_CONCURRENCY = 8

# The learned concurrency limit (see _limiter.py): requests at once before any 429; after
# the first, one more slot per max(GROWTH x limit, PROBE) successes, the successes between
# probes doubling up to PATIENCE times while probes are refused; never above CEILING.
LIMIT_INITIAL = 4
LIMIT_GROWTH = 4
LIMIT_PROBE = 16
LIMIT_PATIENCE = 64
LIMIT_CEILING = 1024

# Twilio rejects PageSize above 1000 with error 20007; an operation's spec may say otherwise.
MAX_PAGE_SIZE = 1000
# Pages in a row with no item, each pointing at another: a listing that makes no progress
# (a server bug would otherwise be followed forever) ends with PaginationLoopError.
MAX_EMPTY_PAGES = 10

# Statuses worth another attempt for an idempotent GET: 429 is Twilio's "too many
# concurrent requests" (error 20429); the 5xx are transient gateway and server faults.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Loopback hosts are the only ones allowed over plain http (local servers and tests).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

ENV_ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
ENV_AUTH_TOKEN = "TWILIO_AUTH_TOKEN"  # noqa: S105 - a variable name, not a secret
ENV_API_KEY = "TWILIO_API_KEY"
ENV_API_SECRET = "TWILIO_API_SECRET"  # noqa: S105 - a variable name, not a secret
ENV_REGION = "TWILIO_REGION"
ENV_EDGE = "TWILIO_EDGE"
# Twilio's SDKs use us1 when only an edge is given.
DEFAULT_REGION = "us1"

REQUEST_ID_HEADER = "Twilio-Request-Id"

# Fetch page n+1 in the background only after a page of at least this many items that
# kept us waiting at least this long for its response (seconds to the headers): the
# hand-off costs more than it hides for small pages and, for the sync client's thread,
# from a server that answers at once (its worker then competes with the page being built
# for the GIL: 5-20% slower over 1000-item pages whose responses start within 2-5 ms from
# a local server; Twilio's take 50 ms or more). The async client's prefetch is a task on
# the same thread, which only overlaps the server's work with ours: worth it at any wait.
PREFETCH_MIN_ITEMS = 100
PREFETCH_MIN_WAIT = 0.010
ASYNC_PREFETCH_MIN_WAIT = 0.0


class _Default:
    """The type of DEFAULT: an argument left out, where None means something else."""

    def __repr__(self) -> str:
        return "<default>"


DEFAULT: Any = _Default()
