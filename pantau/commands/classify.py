"""Classify commands: ``pantau classify --in --out`` (offline, the service's own code) and ``pantau check-config``."""
from __future__ import annotations

import json
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


def classify(
    in_path: Annotated[Path, typer.Option("--in", exists=True, dir_okay=False, help="content records v1, one JSON per line")],
    out_path: Annotated[Path, typer.Option("--out", dir_okay=False, help="classifications, one JSON per input line")],
    config: Annotated[Optional[list[Path]], typer.Option("--config", help="election YAML file or folder (repeatable); default config/elections")] = None,
) -> None:
    """Classify content offline (no broker, no database): partisan, stance, SKB form, evidence."""
    from services.classify.domain.classifier import Classifier
    from services.classify.domain.config import ConfigError
    from shared.schemas import ContentRecord

    try:
        clf = Classifier.from_config(config or None)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[red]config error:[/red] {problem}")
        raise typer.Exit(2)
    done = bad = flagged = 0
    with open(in_path, encoding="utf-8", errors="replace") as src, open(out_path, "w", encoding="utf-8") as dst:
        for lineno, raw in enumerate(src, 1):
            if not raw.strip():
                row = {"external_id": None, "source": None, "line": lineno, "error": f"line {lineno}: (line): empty line",
                       "fields": [{"field": "(line)", "why": "empty line"}]}
                bad += 1
            else:
                try:
                    record = ContentRecord.model_validate_json(raw)
                    result = clf.classify(record)
                    flagged += int(result.partisan)
                    # {"external_id", "source", ...the classification}: serialised by pydantic in one go (fast path)
                    head = json.dumps({"external_id": record.external_id, "source": record.source}, ensure_ascii=False)
                    dst.write(head[:-1] + ", " + result.model_dump_json()[1:] + "\n")
                    done += 1
                    continue
                except (ValidationError, ValueError) as exc:
                    row = _error_line(lineno, exc, raw)
                    bad += 1
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")
            done += 1
    err.print(f"classified {done} lines: {flagged} partisan, {bad} with errors -> {out_path} ({clf.model_version})")


def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
