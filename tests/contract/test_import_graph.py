"""The layering: the core knows no service, and no module imports itself in a circle."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = ROOT / "overlay"
GENERATED = ROOT / "generated"
STEPS_API = "studio_v2_steps_api"
CORE = "twilio_rest_core"
SERVICES = sorted(p.name for p in GENERATED.iterdir() if (p / "__init__.py").is_file())
SERVICE_NAMES = re.compile(r"\b(studio|steps?|serverless|executions?|flow_sid|fw|fn|ft)\b")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {module_name(p, OVERLAY): p for p in OVERLAY.rglob("*.py")}
    found |= {module_name(p, GENERATED): p for p in GENERATED.rglob("*.py")}
    return found


def imports(name: str, path: Path) -> set[str]:
    """Every module `path` imports, TYPE_CHECKING and function-local imports included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    every = modules()
    return {name: {m for m in imports(name, path) if m in every} for name, path in every.items()}


def test_the_core_imports_no_service() -> None:
    for name, targets in graph().items():
        if name == CORE or name.startswith(CORE + "."):
            outside = {t for t in targets if not (t == CORE or t.startswith(CORE + "."))}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_the_core_names_no_service() -> None:
    """Its logger, User-Agent, error names and thread names come from the service."""
    for path in (OVERLAY / CORE).rglob("*.py"):
        found = SERVICE_NAMES.findall(path.read_text().lower())
        assert not found, f"{path.relative_to(ROOT)} mentions {sorted(set(found))}"


@pytest.mark.parametrize("service", SERVICES)
def test_a_generated_binding_imports_only_the_core_and_itself(service: str) -> None:
    for name, targets in graph().items():
        if name.startswith(service + "."):
            foreign = {
                t
                for t in targets
                if not (t.startswith(service) or t == CORE or t.startswith(CORE + "."))
            }
            assert not foreign, f"{name} imports {sorted(foreign)}"


def test_nothing_outside_the_core_imports_its_private_modules() -> None:
    """The core's seam is public (clients, listing, stops, retry...): a binding or a
    workflow stands on it alone, so the core may change its `_` modules freely."""
    for name, targets in graph().items():
        if name == CORE or name.startswith(CORE + "."):
            continue
        private = {t for t in targets if re.match(rf"{CORE}\._", t)}
        assert not private, f"{name} imports {sorted(private)}"


def test_no_import_cycles() -> None:
    edges = graph()
    # A module importing its own package's __init__ (from . import x) is not a cycle of
    # modules; drop those edges, keep every other.
    for name, targets in edges.items():
        targets.discard(name)
        targets -= {t for t in targets if name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_graph_is_read() -> None:
    """The checks above see real edges (so an empty graph cannot pass them)."""
    edges = graph()
    assert "twilio_rest_core.clients" in edges["studio_v2_steps_api.clients"]
    assert "twilio_rest_core.errors" in edges["twilio_rest_core.clients"]
    assert "studio_v2_steps_api.clients" in edges["twilio_studio_steps.steps"]


# What `twilio_studio_steps` exported before the core was split out: each keeps working.
EXPORTED_BEFORE = [
    "LIST_STEPS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncListClient",
    "AsyncStepsClient",
    "AuthenticationError",
    "BadRequestError",
    "Clock",
    "ConfigurationError",
    "Credentials",
    "ExecutionStep",
    "ExecutionStepPage",
    "InvalidResponseError",
    "ListEndpoint",
    "NotFoundError",
    "Page",
    "PageMeta",
    "PaginationLoopError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "StepsClient",
    "StepsPage",
    "SyncListClient",
    "TwilioStudioError",
    "UnsafeURLError",
    "ValidationError",
    "__version__",
]


def test_every_name_exported_before_still_is() -> None:
    import twilio_studio_steps as package

    assert set(EXPORTED_BEFORE) <= set(package.__all__)
    for name in EXPORTED_BEFORE:
        assert getattr(package, name) is not None, name
    errors = [n for n in EXPORTED_BEFORE if n.endswith("Error") and n != "TwilioStudioError"]
    assert all(issubclass(getattr(package, n), package.TwilioStudioError) for n in errors)
    assert (
        package.StepsPage(  # a page names its items as before
            [], type("M", (), {"meta": type("Meta", (), {"next_page_url": None})()})(), None
        ).steps
        == []
    )


@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("import twilio_studio_steps", ["httpx", "asyncio", "msgspec"]),
        ("from twilio_studio_steps import StepsClient", ["asyncio", "concurrent.futures"]),
        ("from twilio_studio_steps import AsyncStepsClient", ["concurrent.futures"]),
    ],
)
def test_an_import_loads_only_what_it_needs(statement: str, absent: list[str]) -> None:
    """Cold start: a sync user pays for no asyncio, a bare import for no HTTP stack."""
    import subprocess
    import sys

    check = f"import sys; {statement}; print([m for m in {absent!r} if m in sys.modules])"
    paths = [str(OVERLAY), str(GENERATED)]
    env = {"PYTHONPATH": ":".join(paths), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_a_steps_user_loads_no_other_service() -> None:
    """Every name the package exports, its testing server and CLI: no other generated
    service's module loads (each service is its own package on the shared core)."""
    import subprocess
    import sys

    others = sorted(p.name for p in GENERATED.iterdir() if p.is_dir() and p.name != STEPS_API)
    assert others  # a second service sits beside Steps on the same path: the check can fail
    check = (
        "import sys, twilio_studio_steps as p\n"
        "import twilio_studio_steps.testing, twilio_studio_steps.cli\n"
        "for name in p.__all__: getattr(p, name)\n"
        "p.StepsClient('AC' + '0' * 32, 'token').operations\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {others!r}))"
    )
    env = {"PYTHONPATH": f"{OVERLAY}:{GENERATED}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_the_execution_statuses_are_written_once_in_the_generated_model() -> None:
    """The hand-written code takes them from `ExecutionStatus` / `EXECUTION_STATUS_VALUES`
    (generated from the spec), so a status Twilio adds reaches every check at once."""
    listed = re.compile(r"""["']active["']\s*,\s*["']ended["']""")
    for path in OVERLAY.rglob("*.py"):
        assert not listed.search(path.read_text()), path.relative_to(ROOT)
    model = GENERATED / "studio_v2_steps_api" / "models" / "execution_status.py"
    assert listed.search(model.read_text())


def test_a_second_name_is_the_same_object() -> None:
    """One thing, one name: the older names are aliases, not copies."""
    import twilio_studio_steps as package
    from twilio_rest_core.clients import AsyncClient, SyncClient
    from twilio_rest_core.errors import TwilioRestError
    from twilio_rest_core.operations import ListOperation

    assert package.TwilioStudioError is package.TwilioRestError is TwilioRestError
    assert package.ListEndpoint is package.ListOperation is ListOperation
    assert package.SyncListClient is SyncClient
    assert package.AsyncListClient is AsyncClient


def test_twilios_error_model_is_the_cores_alone() -> None:
    """Every fragment declares Twilio's error body (TwilioError), and no service generates
    a model of it: twilio_rest_core.errors reads error bodies for every service."""
    import json

    for package in sorted(p for p in GENERATED.iterdir() if (p / "models").is_dir()):
        header = (package / "operations.py").read_text().splitlines()[0]
        folder = ROOT / header.split(" from ", 1)[1].split("/ ", 1)[0]
        schemas = json.loads((folder / "openapi.json").read_text())["components"]["schemas"]
        assert "TwilioError" in schemas, folder
        assert not list((package / "models").glob("twilio_error*.py")), package.name


def test_the_page_metadata_is_the_cores_one_model() -> None:
    """Every meta-style list of every service reads `meta` into the core's PageMeta."""
    import serverless_v1_services_api.models as serverless
    import serverless_v1_services_api.operations as serverless_operations
    import studio_v2_steps_api.models as studio
    import studio_v2_steps_api.operations as studio_operations
    from twilio_rest_core import page_meta
    from twilio_rest_core.operations import ListOperation

    assert studio.PageMeta is serverless.PageMeta is page_meta.PageMeta
    lists = [
        op
        for module in (studio_operations, serverless_operations)
        for op in vars(module).values()
        if isinstance(op, ListOperation)
    ]
    assert len(lists) >= 12
    for op in lists:
        wire = sys.modules[op.model.__module__]
        assert (
            wire.__dict__[op.model.__name__ + "Wire"]
            .__annotations__["meta"]
            .startswith("PageMetaWire")
        ), op.name
    assert not [p for p in GENERATED.rglob("*_meta.py") if p.name != "page_meta.py"]
