"""A local server run as a process of its own, as a user starts it from a shell."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator

BASE_URL = re.compile(r"http://127\.0\.0\.1:\d+")


@contextlib.contextmanager
def serving_process(
    command: list[str], env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """`command` running: (the process, its first line, the base URL that line names);
    killed at the end if the test has not stopped it."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as serve:
        try:
            assert serve.stdout is not None
            banner = serve.stdout.readline()
            found = BASE_URL.search(banner)
            assert found, banner
            yield serve, banner, found.group()
        finally:
            if serve.poll() is None:
                serve.kill()
