"""Every line the library logs during the run (tests/conftest.py fills it), for the leak
scan in contract/test_secrets.py."""

from __future__ import annotations

import logging

CAPTURED_LOGS: list[str] = []


class ListHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        CAPTURED_LOGS.append(self.format(record))
