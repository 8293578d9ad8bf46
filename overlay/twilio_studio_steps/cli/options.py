"""Options more than one command takes, and what they turn into: the client (its options
and credentials), the output (format, fields, CSV formulas), the window of executions.

Secrets come only from the environment: a flag would land in shell history and `ps`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from studio_v2_steps_api.models.execution_status import EXECUTION_STATUS_VALUES, ExecutionStatus
from twilio_rest_core import defaults as D

from ..steps import StepsClient
from .errors import UsageError
from .window import WhenError, parse_when


def whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def command_parser(
    commands: Any, name: str, summary: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """A command's subparser, its description and example kept as written."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def at_least(name: str, value: int | None, low: int, high: int | None = None) -> None:
    """A UsageError naming the option when `value` is outside low..high."""
    if value is None or (value >= low and (high is None or value <= high)):
        return
    wanted = f"{low} or more" if high is None else f"{low} to {high}"
    raise UsageError(f"{name} {value} is out of range: use {wanted}")


# -- the client --------------------------------------------------------------------------


def add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account-sid", help="the account SID (default: $TWILIO_ACCOUNT_SID)")
    parser.add_argument("--base-url", help="API base URL (default: https://studio.twilio.com)")
    parser.add_argument("--region", help="Twilio region, e.g. ie1 (default: $TWILIO_REGION)")
    parser.add_argument("--edge", help="Twilio edge, e.g. dublin (default: $TWILIO_EDGE)")
    parser.add_argument("--timeout", type=seconds, help="seconds per attempt (default: 30)")
    parser.add_argument(
        "--max-retries", type=whole, help="retries after the first attempt (default: 2)"
    )


class Credentials(NamedTuple):
    account_sid: str
    auth_token: str | None
    api_key: str | None
    api_secret: str | None


def _credentials(account_sid: str | None) -> Credentials:
    """The client's credentials from the environment (the flag's account SID first), all
    passed explicitly; a UsageError that says what to set, for a shell user, if any is
    missing."""
    env = os.environ
    account_sid = account_sid or env.get(D.ENV_ACCOUNT_SID) or None
    key, secret = env.get(D.ENV_API_KEY) or None, env.get(D.ENV_API_SECRET) or None
    token = env.get(D.ENV_AUTH_TOKEN) or None
    missing = [] if account_sid else [f"{D.ENV_ACCOUNT_SID} (or --account-sid)"]
    if key or secret:
        missing += [] if key and secret else [D.ENV_API_SECRET if key else D.ENV_API_KEY]
    elif not token:
        missing.append(f"{D.ENV_AUTH_TOKEN} (or {D.ENV_API_KEY} and {D.ENV_API_SECRET})")
    if missing:
        raise UsageError(
            f"no Twilio credentials: set {' and '.join(missing)} in the environment, e.g. "
            f"export {D.ENV_ACCOUNT_SID}=AC... {D.ENV_AUTH_TOKEN}=..."
        )
    assert account_sid is not None  # for mypy: `missing` said so otherwise
    if key:
        return Credentials(account_sid, None, key, secret)
    return Credentials(account_sid, token, None, None)


def make_client(args: argparse.Namespace, **options: Any) -> StepsClient:
    """The client the options describe, with `options` (e.g. event_hooks=) passed on as
    they are; every check first, no request."""
    at_least("--max-retries", args.max_retries, 0)
    if args.base_url and (args.region or args.edge):
        raise UsageError("--base-url names the host itself: give it, or --region/--edge, not both")
    check_order(args)
    account_sid, auth_token, api_key, api_secret = _credentials(args.account_sid)
    return StepsClient(
        account_sid,
        auth_token,
        api_key=api_key,
        api_secret=api_secret,
        base_url=args.base_url,
        region=args.region,
        edge=args.edge,
        timeout=args.timeout or D.DEFAULT_TIMEOUT,
        max_retries=args.max_retries,
        **options,
    )


# Each positional SID and its prefix, in the order the commands take them.
SID_ARGUMENTS = (("flow_sid", "FW", "FLOW_SID"), ("execution_sid", "FN", "EXECUTION_SID"))


def _a(word: str) -> str:
    return ("an " if word[0] in "AEFHILMNORSX" else "a ") + word


def check_order(args: argparse.Namespace) -> None:
    """A SID given where another belongs (swapped, most often) is named as such."""
    present = [(name, label) for name, _, label in SID_ARGUMENTS if hasattr(args, name)]
    labels = {prefix: label for _, prefix, label in SID_ARGUMENTS}
    for name, label in present:
        value = getattr(args, name)
        belongs = labels.get(value[:2].upper()) if isinstance(value, str) else None
        if belongs is not None and belongs != label:
            order = " ".join(label for _, label in present)
            raise UsageError(f"{value} is {_a(belongs)}, given as {label}: the order is {order}")


# -- the output --------------------------------------------------------------------------


def add_output_options(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    default = formats[0]
    parser.add_argument(
        "--format", choices=formats, default=default, help=f"output format (default: {default})"
    )
    if "table" in formats:
        parser.add_argument("--fields", help="comma-separated fields to show")
    if "csv" in formats:
        parser.add_argument(
            "--escape-formulas",
            action="store_true",
            help="CSV: start text cells that begin with = + - @ with ' (for spreadsheets)",
        )


def pick_fields(text: str | None, default: Sequence[str], known: Sequence[str]) -> list[str]:
    """--fields as a list of known names (default when not given)."""
    if text is None:
        return list(default)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if not names or unknown:
        raise UsageError(
            f"--fields: unknown field(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(sorted(known))}"
        )
    return names


# -- the window --------------------------------------------------------------------------


def add_window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow_sid", metavar="FLOW_SID", help="FW followed by 32 hex digits")
    parser.add_argument(
        "--status", choices=sorted(EXECUTION_STATUS_VALUES), help="only these executions"
    )
    parser.add_argument(
        "--since", metavar="WHEN", help="created at or after: 2024-05-01, ...T12:00:00Z, 24h, 7d"
    )
    parser.add_argument("--until", metavar="WHEN", help="created before (default: now)")
    parser.add_argument("--limit", type=whole, help="at most this many executions")


Status = ExecutionStatus  # --status's choices


@dataclass(frozen=True)
class Window:
    """The executions asked for: created in [since, until), of a status, at most limit."""

    flow_sid: str
    status: Status | None
    since: dt.datetime | None
    until: dt.datetime
    limit: int | None


def window(args: argparse.Namespace, now: dt.datetime) -> Window:
    # `is None`, not falsiness: `--since ''` (an unset shell variable) is an error, not
    # "since the beginning".
    try:
        since = None if args.since is None else parse_when(args.since, now)
        until = now if args.until is None else parse_when(args.until, now)
    except WhenError as exc:
        raise UsageError(f"--since/--until: {exc}") from None
    if since is not None and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until or 'now'}")
    at_least("--limit", args.limit, 1)
    return Window(args.flow_sid, cast("Status | None", args.status), since, until, args.limit)
