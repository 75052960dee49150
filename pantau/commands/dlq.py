"""`pantau dlq list|show|replay`: the dead-letter topics, readable and replayable.

Every stage sends what it cannot process to its input topic's ``.dlq`` twin with the reason, the
fields and the raw record (shared.schemas.DeadLetter). ``replay`` re-publishes a letter's record
to the topic it came from: as it was (transient failures, e.g. no registry yet) or fixed
(``--value FILE``). A record that would fail the stage's validation again is not sent.
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Column, Table

from pantau.errors import OperatorError, require_kafka
from shared.kafka_client import client_options
from shared.logging import mask_nips
from shared.settings import get_settings

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
dlq_app = typer.Typer(help="Dead letters: what a stage could not process, why, and replaying it.", no_args_is_help=True)

Stage = Annotated[Optional[str], typer.Option("--stage", help="ingest | classify | match | notify")]
Since = Annotated[Optional[str], typer.Option("--since", help="only letters from this time on: 2h, 30m, 7d or an ISO time")]
ShowNip = Annotated[bool, typer.Option("--show-nip", help="print NIPs unmasked")]
STAGES = ("ingest", "classify", "match", "notify")


def _load(stage: str | None, since: str | None, ids: list[str] | None = None):
    from pantau import dlq

    if stage and stage not in STAGES:
        raise OperatorError(f"--stage {stage!r}: choose one of {', '.join(STAGES)}")
    try:
        when = dlq.parse_since(since)
        wanted = [dlq.parse_letter_id(i) for i in ids or []]
    except ValueError as exc:
        raise OperatorError(str(exc)) from None
    settings = get_settings()
    require_kafka(settings)
    topics = sorted({t for t, _, _ in wanted}) if wanted else sorted(dlq.dead_letter_topics())
    letters, broken = asyncio.run(dlq.read_letters(client_options(settings), topics, when))
    for lid in broken:
        err.print(f"warning: {lid} is not a dead-letter record (skipped)")
    return dlq.select(letters, stage=stage, since=when, ids=ids), settings


@dlq_app.command("list")
def dlq_list(stage: Stage = None, since: Since = None, as_json: Annotated[bool, typer.Option("--json")] = False,
             show_nip: ShowNip = False) -> None:
    """List dead letters (oldest first): id, stage, when, error type, fields, reason."""
    letters, _ = _load(stage, since)
    mask = (lambda s: s) if show_nip else mask_nips
    if as_json:
        for item in letters:
            out.print(mask(json.dumps({"id": item.id, **item.letter.model_dump(mode="json", exclude={"raw"})},
                                      ensure_ascii=False)), markup=False)
        return
    table = Table("stage", "failed at", "type", "fields", "reason")
    table.columns.insert(0, Column("id", overflow="fold"))  # the whole id: it is what show/replay take
    for item in letters:
        letter = item.letter
        table.add_row(item.id, letter.stage, letter.failed_at.strftime("%Y-%m-%d %H:%M:%S"), letter.error_type,
                      ", ".join(letter.fields), mask(letter.reason[:120]))
    out.print(table)
    counts: dict[str, int] = {}
    for item in letters:
        counts[item.stage] = counts.get(item.stage, 0) + 1
    err.print(f"{len(letters)} dead letters" + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))})" if counts else "")
              + ("; show one with `pantau dlq show ID`" if letters else ""))


@dlq_app.command("show")
def dlq_show(letter_id: Annotated[str, typer.Argument(help="id from `pantau dlq list`")], show_nip: ShowNip = False,
             raw: Annotated[bool, typer.Option("--raw", help="print only the raw record (to fix it and replay with --value)")] = False) -> None:
    """One dead letter in full: reason, fields, where it came from and the raw record."""
    letters, _ = _load(None, None, [letter_id])
    if not letters:
        raise OperatorError(f"no dead letter {letter_id} — list them with `pantau dlq list`")
    letter = letters[0].letter
    mask = (lambda s: s) if show_nip else mask_nips
    if raw:
        out.print(mask(letter.raw), markup=False)
        return
    out.print(mask(json.dumps({"id": letter_id, **letter.model_dump(mode="json")}, ensure_ascii=False, indent=2)), markup=False)


@dlq_app.command("replay")
def dlq_replay(
    ids: Annotated[Optional[list[str]], typer.Argument(help="letter ids; none: every letter the filters select")] = None,
    stage: Stage = None,
    since: Since = None,
    value: Annotated[Optional[Path], typer.Option("--value", exists=True, dir_okay=False, help="the fixed record to send instead (one id only)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would be sent, send nothing")] = False,
) -> None:
    """Re-publish dead-lettered records to the topic they came from (checked first: a record that
    would be dead-lettered again is skipped with the reason). Without ids, `--stage` or `--since`
    is required."""
    from pantau import dlq
    from pantau.publish import publish_lines

    if not ids and not stage and not since:
        raise OperatorError("say what to replay: letter ids, --stage or --since — see `pantau dlq list`")
    if value is not None and len(ids or []) != 1:
        raise OperatorError("--value replaces one record: give exactly one letter id")
    letters, settings = _load(stage, since, ids)
    if ids and len(letters) != len(set(ids)):
        found = {item.id for item in letters}
        raise OperatorError(f"no dead letter {', '.join(i for i in ids if i not in found)} — list them with `pantau dlq list`")
    by_topic: dict[str, tuple[list[bytes], list[bytes | None]]] = {}
    skipped = 0
    for item in letters:
        body = value.read_bytes().strip() if value is not None else item.letter.raw.encode()
        why = dlq.check_replay(item.letter, body)
        if why:
            skipped += 1
            err.print(mask_nips(f"  skip {item.id}: would fail again: {why}"
                                + ("" if value else " (fix it: `pantau dlq show ID --raw`, then `replay ID --value FILE`)")))
            continue
        lines, keys = by_topic.setdefault(item.letter.source_topic, ([], []))
        lines.append(body)
        keys.append(item.key)
    sent = 0
    for topic, (lines, keys) in by_topic.items():
        if dry_run:
            err.print(f"  would send {len(lines)} records to {topic}")
            continue
        sent += asyncio.run(publish_lines(settings, lines, topic=topic, keys=keys))
    err.print(f"replayed {sent} of {len(letters)} dead letters{' (dry run)' if dry_run else ''}, {skipped} skipped")
    if skipped and not sent and not dry_run:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")
