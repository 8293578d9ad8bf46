"""Re-extract the spec/ fragments from a new upstream Twilio spec and say what changed.

    python scripts/update_spec.py PATH_TO_UPSTREAM_SPEC [--service NAME] [--spec-dir DIR]
                                  [--data-dir DIR] [--relative-to DIR]

For every spec/<service>/extract.json (or only --service's), cut the fragment out of the
upstream spec with scripts/extract_fragment.py, print what changed for users compared to
the current spec/<service>/openapi.json (scripts/spec_changes.py; "no change" when
nothing did), and write the new fragment. A config may name the upstream file it is cut
from in its "upstream" field (e.g. "twilio_studio_v2.json"): services expecting a file
of another name are skipped, saying so. When a service was re-extracted, the upstream
file is also copied to --data-dir (tests/data/upstream/), where the tests check that the
checked-in fragments are exactly what it produces.

Exit status 0, breaking changes included (read the summary); 1 when an extraction
fails; 2 on a usage error. `nox -s update-spec -- PATH` runs this, regenerates
generated/ and runs the tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from extract_fragment import ExtractError, dump, extract
from spec_changes import SpecError, diff_specs, format_changes

ROOT = Path(__file__).resolve().parent.parent


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def update_service(folder: Path, upstream: dict[str, Any], shown: str) -> bool:
    """Re-extract one service's fragment; print the change summary; True when rewritten."""
    config = read_json(folder / "extract.json")
    text = dump(extract(upstream, config))
    target = folder / "openapi.json"
    old = read_json(target) if target.is_file() else {}
    print(f"{shown}/openapi.json:")
    print(format_changes(diff_specs(old, json.loads(text))))
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    print(f"wrote {shown}/openapi.json")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream", type=Path, help="the full upstream OpenAPI spec (JSON)")
    parser.add_argument("--service", help="only this spec/<service>/ (default: all)")
    parser.add_argument(
        "--spec-dir", type=Path, default=ROOT / "spec", help="default: the repository's spec/"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / "tests" / "data" / "upstream",
        help="where the tests keep their copy of the upstream specs (tests/data/upstream/)",
    )
    parser.add_argument(
        "--relative-to",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="read a relative upstream path from DIR (default: the current directory)",
    )
    args = parser.parse_args(argv)
    args.upstream = args.relative_to / args.upstream

    try:
        upstream = read_json(args.upstream)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"update_spec: cannot read {args.upstream}: {exc}", file=sys.stderr)
        return 2
    folders = sorted(p.parent for p in args.spec_dir.glob("*/extract.json"))
    if args.service:
        folders = [f for f in folders if f.name == args.service]
        if not folders:
            print(f"update_spec: no {args.spec_dir}/{args.service}/extract.json", file=sys.stderr)
            return 2
    if not folders:
        print(f"update_spec: no {args.spec_dir}/*/extract.json", file=sys.stderr)
        return 2

    name = args.upstream.name
    done, failed = [], []
    for folder in folders:
        shown = f"{args.spec_dir.name}/{folder.name}"
        try:
            expected = read_json(folder / "extract.json").get("upstream")
            if expected is not None and expected != name:
                print(f"{shown}: skipped (its extract.json expects {expected}, not {name})")
                continue
            update_service(folder, upstream, shown)
        except (ExtractError, SpecError, KeyError, OSError, json.JSONDecodeError) as exc:
            print(f"update_spec: {shown}: {exc}", file=sys.stderr)
            failed.append(shown)
            continue
        done.append(shown)

    if not done and not failed:
        print(f"nothing to update: no service is cut from {name}")
    if done:
        copy = args.data_dir / name
        same_file = copy.exists() and copy.resolve() == args.upstream.resolve()
        if not same_file and (
            not copy.is_file() or copy.read_bytes() != args.upstream.read_bytes()
        ):
            args.data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(args.upstream, copy)
            print(f"copied {name} to {copy}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
