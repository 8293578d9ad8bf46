"""The ways of listing steps the benchmark compares, each run in its own process.

    python benchmarks/contenders.py NAME BASE_URL FLOW EXECUTION PAGE_SIZE

prints one JSON line: {"seconds", "steps", "peak_rss_mb"}. Each contender walks every
step and touches one field, so that nothing is skipped by laziness.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable

ACCOUNT = "AC" + "0" * 32
TOKEN = "local-demo-token"


def raw_floor(decode: Callable[[bytes], object]) -> Callable[[str, str, str, int], int]:
    """httpx + a JSON decoder, following next_page_url, plain dicts: the floor."""

    def run(base: str, flow: str, execution: str, page_size: int) -> int:
        import httpx

        count = 0
        url: str | None = (
            f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps?PageSize={page_size}"
        )
        with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
            while url:
                body = decode(http.get(url).content)
                for step in body["steps"]:  # type: ignore[index]
                    count += step["sid"] is not None
                url = body["meta"]["next_page_url"]  # type: ignore[index]
        return count

    return run


def raw_async_floor(base: str, flow: str, execution: str, page_size: int) -> int:
    """The async floor: httpx.AsyncClient + json.loads, following next_page_url."""
    import httpx

    async def main() -> int:
        count = 0
        url: str | None = (
            f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps?PageSize={page_size}"
        )
        async with httpx.AsyncClient(auth=(ACCOUNT, TOKEN)) as http:
            while url:
                body = json.loads((await http.get(url)).content)
                for step in body["steps"]:
                    count += step["sid"] is not None
                url = body["meta"]["next_page_url"]
        return count

    return asyncio.run(main())


def typed_floor(base: str, flow: str, execution: str, page_size: int) -> int:
    """The least a typed client can do: httpx + orjson, one slotted attrs object per step
    with its dates parsed, no checks, no retries. What "typed at raw speed" is measured by."""
    from datetime import datetime
    from typing import Any

    import attrs
    import httpx
    import orjson

    @attrs.define
    class Step:
        sid: str
        account_sid: str
        flow_sid: str
        execution_sid: str
        parent_step_sid: str | None
        name: str
        context: Any
        transitioned_from: str
        transitioned_to: str
        type: str
        date_created: datetime
        date_updated: datetime | None
        url: str
        links: Any

    parse = datetime.fromisoformat
    count = 0
    url: str | None = f"{base}/v2/Flows/{flow}/Executions/{execution}/Steps?PageSize={page_size}"
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        while url:
            body = orjson.loads(http.get(url).content)
            steps = [
                Step(
                    s["sid"],
                    s["account_sid"],
                    s["flow_sid"],
                    s["execution_sid"],
                    s["parent_step_sid"],
                    s["name"],
                    s["context"],
                    s["transitioned_from"],
                    s["transitioned_to"],
                    s["type"],
                    parse(s["date_created"]),
                    parse(s["date_updated"]) if s["date_updated"] else None,
                    s["url"],
                    s["links"],
                )
                for s in body["steps"]
            ]
            count += sum(step.sid is not None for step in steps)
            url = body["meta"]["next_page_url"]
    return count


def ours(prefetch: bool, as_list: bool = False) -> Callable[[str, str, str, int], int]:
    def run(base: str, flow: str, execution: str, page_size: int) -> int:
        from twilio_studio_steps import StepsClient

        with StepsClient(ACCOUNT, TOKEN, base_url=base, prefetch=prefetch) as client:
            if as_list:
                steps = client.list_steps(flow, execution, page_size=page_size)
                return sum(step.sid is not None for step in steps)
            return sum(
                step.sid is not None
                for step in client.iter_steps(flow, execution, page_size=page_size)
            )

    return run


def ours_async(base: str, flow: str, execution: str, page_size: int) -> int:
    from twilio_studio_steps import AsyncStepsClient

    async def main() -> int:
        async with AsyncStepsClient(ACCOUNT, TOKEN, base_url=base) as client:
            return sum(
                [
                    s.sid is not None
                    async for s in client.iter_steps(flow, execution, page_size=page_size)
                ]
            )

    return asyncio.run(main())


def twilio(as_list: bool) -> Callable[[str, str, str, int], int]:
    def run(base: str, flow: str, execution: str, page_size: int) -> int:
        from twilio.rest import Client

        client = Client(ACCOUNT, TOKEN)
        client.studio.base_url = base  # the SDK's documented per-domain override
        steps = client.studio.v2.flows(flow).executions(execution).steps
        if as_list:
            items = steps.list(page_size=page_size)
            return sum(step.sid is not None for step in items)
        return sum(step.sid is not None for step in steps.stream(page_size=page_size))

    return run


CONTENDERS: dict[str, Callable[[str, str, str, int], int]] = {
    "raw-json": raw_floor(json.loads),
    "raw-orjson": raw_floor(__import__("orjson").loads),
    "raw-async-json": raw_async_floor,
    "typed-floor": typed_floor,
    "ours": ours(prefetch=True),
    "ours-no-prefetch": ours(prefetch=False),
    "ours-list": ours(prefetch=True, as_list=True),
    "ours-async": ours_async,
    "twilio-stream": twilio(as_list=False),
    "twilio-list": twilio(as_list=True),
}


def main() -> None:
    name, base, flow, execution, page_size = sys.argv[1:6]
    # Everything a contender imports is imported before the clock starts: scenario 6 times
    # imports, the others time listing (a cold import would be 0.3 s of a 1 s run here).
    # httpx imports httpcore when its first client is made, and the async transport its
    # anyio backend on the first request: 70 ms each here, paid by one contender or the
    # other unless imported now.
    import httpcore
    import httpx  # noqa: F401

    if "async" in name:
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._backends.anyio  # noqa: F401
    if name.startswith("ours"):
        import twilio_studio_steps.steps  # noqa: F401
    if name == "typed-floor":
        import attrs  # noqa: F401
    if name.startswith("twilio"):
        import twilio.http.http_client
        import twilio.rest
        import twilio.rest.studio.v2.flow.execution.execution_step  # noqa: F401
    started = time.perf_counter()
    count = CONTENDERS[name](base, flow, execution, int(page_size))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "steps": count, "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    main()
