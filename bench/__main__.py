"""Runs every ``bench/bench_*.py`` module and writes one JSON result file per module.

Each module exposes ``run(quick: bool) -> dict``. Machines here are noisy, so modules report
ratios against a baseline measured in the same run next to absolute figures.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import platform
import sys
import time

RESULTS = pathlib.Path(__file__).parent / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="bench modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    modules = sorted(p.stem for p in pathlib.Path(__file__).parent.glob("bench_*.py"))
    selected = [m for m in modules if not args.names or m.removeprefix("bench_") in args.names]
    RESULTS.mkdir(exist_ok=True)
    for name in selected:
        started = time.time()
        result = importlib.import_module(f"bench.{name}").run(quick=args.quick)
        result["_meta"] = {"started": started, "python": platform.python_version(), "quick": args.quick}
        out = RESULTS / f"{name.removeprefix('bench_')}.json"
        out.write_text(json.dumps(result, indent=2, default=str))
        print(f"{name}: {out}")
        print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
