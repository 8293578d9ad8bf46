"""Where a redirect-only operation points: the answer is the Location, never followed.

Some operations answer only a 3xx whose Location is the resource (a signed download URL,
an authorization page), often on another host. The core does not follow it: our
credentials must not reach that host, and the caller decides how to fetch it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import defaults as D
from ._attempts import Reply
from .errors import InvalidResponseError


@dataclass(frozen=True, slots=True)
class Redirect:
    """A redirect Twilio answered: `location` (absolute URL) and its `status` (302, 307...).

    A type rather than a bare URL: the status says whether the target is temporary, and
    the name says the URL was not fetched.
    """

    location: str
    status: int


def build_redirect(reply: Reply) -> Redirect:
    """The reply's Location, made absolute against the request's URL.

    A status that is not a redirect, or no Location to go to, is an InvalidResponseError:
    the operation is declared to answer only a redirect.
    """
    response = reply.response
    status = response.status_code
    location = response.headers.get("location", "").strip()
    reason = (
        "only a redirect is declared"
        if not 300 <= status < 400
        else "a redirect without a Location header"
        if not location
        else ""
    )
    if reason:
        raise InvalidResponseError(
            reason,
            url=str(response.request.url),
            status=status,
            request_id=response.headers.get(D.REQUEST_ID_HEADER),
        )
    return Redirect(str(response.request.url.join(location)), status)
