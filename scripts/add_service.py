"""Add a service from one of Twilio's published specs, with every operation it declares.

    python scripts/add_service.py PATH/TO/twilio_X.json [--operations ID ...] [--root DIR]

Writes spec/<service>/ (extract.json, generator.yaml, the extracted openapi.json) and
generates generated/<service>_api/ from it; it does not run the tests. A service that is
already there (its extract.json names the same upstream file) is extracted and generated
again from the given spec, keeping its names. The folder is named after the file:
twilio_api_v2010.json -> spec/api_v2010/, package api_v2010_api, clients
ApiV2010Client and AsyncApiV2010Client.

An operation the binding cannot describe (see scripts/bindings.py) is left out, named on
stderr, and the rest are generated: the exit status is 0 when the package was written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import extract_fragment
import generate
from bindings import BindingError, camel, describe

HTTP = ("get", "post", "put", "patch", "delete")
# The generator's hooks: the same ruff fixes and format as every service's.
RUFF = "--isolated --quiet --no-cache"
GENERATOR_YAML = f"""\
# openapi-python-client config for {{upstream}} (written by scripts/add_service.py).
package_name_override: {{package}}
literal_enums: true
use_path_prefixes_for_title_model_names: false
post_hooks:
  - "ruff check . --fix-only --select I,F401,UP --target-version py311 {RUFF}"
  - "ruff format . --line-length 100 {RUFF}"
"""


def service_name(upstream: Path) -> str:
    """twilio_api_v2010.json -> api_v2010."""
    return upstream.stem.removeprefix("twilio_").replace("-", "_").lower()


def existing(spec_root: Path, upstream: Path) -> Path | None:
    """The spec folder already cut from this upstream file, if any."""
    for config in sorted(spec_root.glob("*/extract.json")):
        if json.loads(config.read_text()).get("upstream") == upstream.name:
            return config.parent
    return None


def operation_ids(spec: dict[str, Any]) -> list[str]:
    return [
        op["operationId"]
        for item in spec.get("paths", {}).values()
        for method, op in item.items()
        if method in HTTP and isinstance(op, dict) and "operationId" in op
    ]


def new_config(upstream: Path, spec: dict[str, Any], operations: list[str]) -> dict[str, Any]:
    name = service_name(upstream)
    return {
        "upstream": upstream.name,
        "title": spec.get("info", {}).get("title", name),
        "operations": operations,
        "error_schema": True,
        "bindings": {
            "client": camel(name) + "Client",
            "user_agent": "twilio-" + name.replace("_", "-"),
            "logger": "twilio_" + name,
            "unique_names": True,  # no curated names: a clash takes the operation's id
        },
    }


def describable(
    upstream_spec: dict[str, Any], config: dict[str, Any], generator_config: dict[str, Any]
) -> tuple[list[str], dict[str, str]]:
    """The operations the binding can describe, and why each other one cannot be."""
    kept, refused = [], {}
    for op_id in config["operations"]:
        one = {**config, "operations": [op_id]}
        try:
            describe(extract_fragment.extract(upstream_spec, one), one, generator_config)
        except (BindingError, KeyError, extract_fragment.ExtractError) as exc:
            refused[op_id] = str(exc) or type(exc).__name__
        else:
            kept.append(op_id)
    return kept, refused


def add(
    upstream: Path, root: Path, operations: list[str] | None = None
) -> tuple[Path, dict[str, str]]:
    """Write spec/<service>/ and generated/<package>/ under `root`; (the spec folder, the
    operations left out with the reason)."""
    upstream_spec = json.loads(upstream.read_text())
    spec_root = root / "spec"
    folder = existing(spec_root, upstream) or spec_root / service_name(upstream)
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "extract.json"
    if config_path.is_file():
        config = json.loads(config_path.read_text())
        if operations:
            config["operations"] = operations
    else:
        config = new_config(upstream, upstream_spec, operations or operation_ids(upstream_spec))
    if not (folder / "generator.yaml").is_file():
        package = folder.name + "_api"
        (folder / "generator.yaml").write_text(
            GENERATOR_YAML.format(upstream=upstream.name, package=package)
        )
    generator_config = generate.read_config(folder)
    refused: dict[str, str] = {}
    try:
        describe(extract_fragment.extract(upstream_spec, config), config, generator_config)
    except (BindingError, KeyError, extract_fragment.ExtractError):
        kept, refused = describable(upstream_spec, config, generator_config)
        config["operations"] = kept
    if not config["operations"]:
        raise BindingError(f"{upstream.name}: no operation can be bound")
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    fragment = extract_fragment.extract(upstream_spec, config)
    (folder / "openapi.json").write_text(extract_fragment.dump(fragment))
    package = generator_config["package_name_override"]
    out = root / "generated"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        fresh = generate.generate_into(folder, package, Path(scratch))
        target = out / package
        generate.replace_tree(fresh, target)
    return folder, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream", type=Path, help="one of Twilio's published specs (JSON)")
    parser.add_argument("--operations", nargs="+", help="only these operation ids")
    parser.add_argument("--root", type=Path, default=generate.ROOT, help="the repository")
    parser.add_argument("--relative-to", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # The generator and ruff are installed beside this interpreter (nox's session venv).
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    upstream = args.upstream if args.upstream.is_absolute() else args.relative_to / args.upstream
    try:
        folder, refused = add(upstream, args.root.resolve(), args.operations)
    except (BindingError, extract_fragment.ExtractError, OSError, ValueError) as exc:
        print(f"add_service: {exc}", file=sys.stderr)
        return 1
    for op_id, reason in refused.items():
        print(f"left out {op_id}: {reason}", file=sys.stderr)
    print(f"{generate.shown(folder)}/ -> generated/ ({len(refused)} operations left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
