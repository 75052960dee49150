"""`pantau subject report NIP`: everything Pantau Netral stores about one civil servant, for answering a
data-subject request under UU PDP (docs/privacy.md). The report holds that person's own data, unmasked:
hand it only to them or to whom the controller's data-protection officer decides."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Annotated

import typer
from rich.console import Console

from pantau.errors import OperatorError, require_store
from shared.settings import get_settings

err = Console(stderr=True, highlight=False, soft_wrap=True)
subject_app = typer.Typer(help="Data-subject requests (UU PDP): what is stored about one civil servant.",
                          no_args_is_help=True)


async def _collect(settings, nip: str) -> dict[str, list[dict]]:
    from services.notify.store import NotifyStore
    from shared.mongo import connect

    client, db = connect(settings)
    try:
        return await NotifyStore(db).about_subject(nip)
    finally:
        await client.close()


@subject_app.command("report")
def report(nip: Annotated[str, typer.Argument(help="the civil servant's NIP (18 digits)")]) -> None:
    """Print, as one JSON document, every alert, case, match, review candidate, judgement and case audit
    entry stored about NIP; a summary of the counts goes to standard error.

        pantau subject report 198503122010012004 > report.json
    """
    nip = nip.replace(" ", "")
    if not re.fullmatch(r"\d{18}", nip):
        raise OperatorError(f"{nip!r} is not a NIP: give the 18 digits (spaces are ignored)")
    settings = get_settings()
    require_store(settings)
    found = asyncio.run(_collect(settings, nip))
    print(json.dumps({"nip": nip, **found}, ensure_ascii=False, default=str, indent=1))
    err.print(", ".join(f"{name}: {len(rows)}" for name, rows in found.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(subject_app, name="subject")
