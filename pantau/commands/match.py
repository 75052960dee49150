"""Offline matching and the synthetic registry: ``pantau match`` and ``pantau registry generate``.

``registry_app`` is the ``pantau registry`` sub-group; other modules (the MongoDB import) add their
commands to it.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


console = Console(stderr=True)
registry_app = typer.Typer(help="The ASN registry: synthetic generation (and import into the store).",
                           no_args_is_help=True)


def _match_dict(match) -> dict:
    data = match.model_dump(mode="json")
    return {"nip": data["nip"], "band": data["band"], "score": data["score"], "explanation": data["explanation"],
            "subject": data.get("subject")}


match_app = typer.Typer(help="Link content to registry people: offline (`pantau match --registry ...`) "
                         "or re-screen stored partisan content (`pantau match rescreen`).",
                         invoke_without_command=True)


@match_app.callback()
def match_command(
    ctx: typer.Context,
    registry: Annotated[Optional[Path], typer.Option("--registry", help="registry CSV (header: docs/contracts/registry-csv.md)", exists=True, dir_okay=False)] = None,
    input_path: Annotated[Optional[Path], typer.Option("--in", help="content records, one JSON object per line", exists=True, dir_okay=False)] = None,
    output_path: Annotated[Optional[Path], typer.Option("--out", help="one result line per input line, same order")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="match.yaml (default config/match.yaml)")] = None,
    registry_version: Annotated[Optional[str], typer.Option("--registry-version", help="default: hash of the CSV")] = None,
) -> None:
    """Link content records to registry people offline (the same engine the match service runs).

        pantau match --registry REG.csv --in IN.jsonl --out OUT.jsonl
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [name for name, value in (("--registry", registry), ("--in", input_path), ("--out", output_path))
               if value is None]
    if missing:
        console.print(f"[red]error:[/red] missing option(s) {', '.join(missing)} "
                      "(pantau match --registry REG.csv --in IN.jsonl --out OUT.jsonl)")
        raise typer.Exit(2)
    # Imported here: the engine brings numpy, which every other `pantau` command would pay for.
    from services.match.domain.engine import MatchEngine, load_config
    from services.match.domain.registry_csv import RegistryFormatError
    from shared.schemas import ContentRecord
    try:
        cfg = load_config(config)
    except (ValidationError, OSError, ValueError) as exc:
        console.print(f"[red]invalid match config:[/red] {exc}")
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        engine = MatchEngine.from_csv(registry, registry_version=registry_version, config=cfg)
    except RegistryFormatError as exc:
        console.print(f"[red]registry:[/red] {exc}")
        raise typer.Exit(2)
    console.print(f"registry {engine.registry_version}: {engine.size} people indexed"
                  f" ({engine.skipped} bad rows skipped) in {time.perf_counter() - started:.1f}s")
    lines = matched = 0
    with input_path.open(encoding="utf-8") as src, output_path.open("w", encoding="utf-8") as out:
        for number, line in enumerate(src, start=1):
            lines += 1
            try:
                record = ContentRecord.model_validate_json(line)
            except ValidationError as exc:
                raw = _loose(line)
                result = {"external_id": raw.get("external_id"), "source": raw.get("source"), "matches": [],
                          "registry_version": engine.registry_version,
                          "error": f"line {number}: invalid content record: "
                                   + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])}
            else:
                matches = engine.match(record)
                matched += bool(matches)
                result = {"external_id": record.external_id, "source": record.source,
                          "matches": [_match_dict(m) for m in matches], "registry_version": engine.registry_version}
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    console.print(f"{lines} records, {matched} with at least one match or review candidate -> {output_path}")


def _loose(line: str) -> dict:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@registry_app.command("generate")
def generate(
    count: Annotated[int, typer.Option("--count", min=1, max=10_000_000, help="number of people")],
    out: Annotated[Path, typer.Option("--out", help="registry CSV to write")],
    seed: Annotated[int, typer.Option("--seed", help="same seed, same file")] = 0,
) -> None:
    """Write a realistic synthetic ASN registry (real name statistics and region codes)."""
    from services.match.domain.generator import write_registry
    started = time.perf_counter()
    with Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("rows", total=count)
        write_registry(out, count, seed=seed, progress=lambda n: progress.advance(task, n))
    elapsed = time.perf_counter() - started
    console.print(f"{count} people -> {out} in {elapsed:.1f}s ({count / max(elapsed, 1e-9):,.0f} rows/s)")


@match_app.command("rescreen")
def rescreen_command(
    since: Annotated[datetime, typer.Option("--since", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
                                            help="re-screen partisan content classified on or after this date (UTC)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Match stored partisan content again against the active registry version.

    New `match` results open alerts as usual (through notify); alerts already sent are not repeated.
    Reads each collection once. Example:

        pantau match rescreen --since 2024-01-01
    """
    import asyncio

    from services.match.rescreen_cli import run_rescreen
    from shared.settings import get_settings

    try:
        report = asyncio.run(run_rescreen(get_settings(), since.replace(tzinfo=since.tzinfo or timezone.utc),
                                          progress=lambda text: console.print(text)))
    except LookupError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        console.print(f"registry {report.version}: {report.partisan} partisan items since {report.since:%Y-%m-%d}, "
                      f"{report.rematched} re-matched, {report.new_results} with new results "
                      f"({report.new_match_band} new `match`), {report.missing_content} without stored content")


def register(app: typer.Typer) -> None:
    app.add_typer(match_app, name="match")
    app.add_typer(registry_app, name="registry")
