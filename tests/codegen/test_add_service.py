"""`nox -s add-service`: a service with every operation of one of Twilio's specs, added
and generated with no hand-written line, then regenerated in place."""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spec_scripts import PATH_WITH_VENV, ROOT, SERVERLESS, needs_generator, read_json, run


@pytest.fixture
def added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Any]]:
    """Serverless v1 added to an empty repository layout by the script, as nox runs it."""
    monkeypatch.setenv("PATH", PATH_WITH_VENV)
    started = time.monotonic()
    result = run(ROOT / "scripts" / "add_service.py", SERVERLESS, "--root", tmp_path)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60  # well under a minute (it runs no tests)
    monkeypatch.syspath_prepend(str(tmp_path / "generated"))
    yield tmp_path, importlib.import_module("serverless_v1_api.clients")
    for name in [m for m in sys.modules if m.startswith("serverless_v1_api")]:
        del sys.modules[name]


@needs_generator
def test_a_service_is_added_with_every_operation(added: tuple[Path, Any]) -> None:
    root, clients = added
    config = read_json(root / "spec" / "serverless_v1" / "extract.json")
    assert config["upstream"] == SERVERLESS.name
    assert len(config["operations"]) == 39
    client = clients.ServerlessV1Client("AC" + "0" * 32, "token")
    assert client.base_url == "https://serverless.twilio.com"
    assert set(client.operations) == set(config["operations"])
    assert callable(client.operations["CreateBuild"])
    assert not (root / "generated" / "serverless_v1_api" / "api").exists()  # no low-level layer


@needs_generator
def test_adding_a_service_again_regenerates_it_and_keeps_its_names(
    added: tuple[Path, Any],
) -> None:
    root, _ = added
    config_path = root / "spec" / "serverless_v1" / "extract.json"
    config = json.loads(config_path.read_text())
    config["bindings"]["names"] = {"ListService": "all_services"}
    config_path.write_text(json.dumps(config))
    result = run(ROOT / "scripts" / "add_service.py", SERVERLESS, "--root", root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "spec").iterdir()) == ["serverless_v1"]
    clients = (root / "generated" / "serverless_v1_api" / "clients.py").read_text()
    assert "def iter_all_services(" in clients
