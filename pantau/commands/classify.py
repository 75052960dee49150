"""Classify commands: ``pantau classify --in --out`` (offline, the service's own code) and ``pantau check-config``."""
from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

err = Console(stderr=True, highlight=False)


def _error_line(lineno: int, exc: Exception, raw: str) -> dict:
    """One output line for a bad input line: which line, which field, why."""
    external_id = source = None
    try:
        obj = json.loads(raw)
        if isinstance(obj, dict):
            external_id, source = obj.get("external_id"), obj.get("source")
    except ValueError:
        pass
    if isinstance(exc, ValidationError):
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "(record)", "why": e["msg"]} for e in exc.errors()]
    elif isinstance(exc, json.JSONDecodeError):
        problems = [{"field": "(line)", "why": f"invalid JSON: {exc.msg} at column {exc.colno}"}]
    else:
        problems = [{"field": "(record)", "why": f"{type(exc).__name__}: {exc}"}]
    return {"external_id": external_id, "source": source, "line": lineno,
            "error": f"line {lineno}: " + "; ".join(f"{p['field']}: {p['why']}" for p in problems), "fields": problems}


_CLASSIFIER = None  # set in the parent before the workers fork, so they share it without rebuilding it
CHUNK = 500  # lines a worker classifies per task


def _classify_lines(chunk: tuple[int, list[str]]) -> tuple[str, int, int, int]:
    """Output lines for input lines (numbered from ``first``), as one string (one object to send back from a
    worker), with the line, partisan and error counts."""
    from shared.schemas import ContentRecord

    first, lines = chunk
    out, flagged, bad = [], 0, 0
    for lineno, raw in enumerate(lines, first):
        if not raw.strip():
            row = {"external_id": None, "source": None, "line": lineno, "error": f"line {lineno}: (line): empty line",
                   "fields": [{"field": "(line)", "why": "empty line"}]}
            bad += 1
        else:
            try:
                record = ContentRecord.model_validate_json(raw)
                result = _CLASSIFIER.classify(record)
                flagged += int(result.partisan)
                # {"external_id", "source", ...the classification}: serialised by pydantic in one go (fast path)
                head = json.dumps({"external_id": record.external_id, "source": record.source}, ensure_ascii=False)
                out.append(head[:-1] + ", " + result.model_dump_json()[1:] + "\n")
                continue
            except (ValidationError, ValueError) as exc:
                row = _error_line(lineno, exc, raw)
                bad += 1
        out.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(out), len(out), flagged, bad


def _chunks(src) -> Iterator[tuple[int, list[str]]]:
    lines: list[str] = []
    first = 1
    for lineno, raw in enumerate(src, 1):
        lines.append(raw)
        if len(lines) == CHUNK:
            yield first, lines
            first, lines = lineno + 1, []
    if lines:
        yield first, lines


def classify(
    in_path: Annotated[Path, typer.Option("--in", exists=True, dir_okay=False, help="content records v1, one JSON per line")],
    out_path: Annotated[Path, typer.Option("--out", dir_okay=False, help="classifications, one JSON per input line")],
    config: Annotated[Optional[list[Path]], typer.Option("--config", help="election YAML file or folder (repeatable); default config/elections")] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="processes classifying in parallel; 0 = one per CPU core (output order is kept)")] = 0,
) -> None:
    """Classify content offline (no broker, no database): partisan, stance, SKB form, evidence."""
    global _CLASSIFIER
    from services.classify.domain.classifier import Classifier
    from shared.config_paths import ConfigError

    try:
        _CLASSIFIER = Classifier.from_config(config or None)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[red]config error:[/red] {problem}")
        raise typer.Exit(2)
    if not workers:  # automatic: a small file finishes before a second process would have started
        workers = 1 if in_path.stat().st_size < 200_000 else os.cpu_count() or 1
    done = bad = flagged = 0
    with open(in_path, encoding="utf-8", errors="replace") as src, open(out_path, "w", encoding="utf-8") as dst:
        if workers > 1:
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap(_classify_lines, _chunks(src))  # ordered: output line n answers input line n
        else:
            pool, results = None, map(_classify_lines, _chunks(src))
        try:
            for text, n_lines, n_flagged, n_bad in results:
                dst.write(text)
                done += n_lines
                flagged += n_flagged
                bad += n_bad
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    err.print(f"classified {done} lines: {flagged} partisan, {bad} with errors -> {out_path} ({_CLASSIFIER.model_version})")


def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
