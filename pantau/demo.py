"""`make demo`: the whole pipeline on the local stack with the sample registry and content.

Starts Kafka, FerretDB and the six service processes, imports ``deploy/sample/registry.csv``, publishes
``deploy/sample/content.jsonl`` as an upstream crawler would, waits for the pipeline to drain and
prints the alerts per agency. Each run starts from a clean state directory (``.run/demo``), so it
shows what the current code does. The services keep running afterwards (`pantau down` stops them).
"""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pantau.localstack import LocalStack
from pantau.publish import publish_lines
from services.notify.domain.config import load_notify_config
from shared.logging import mask_nips
from shared.mongo import connect
from shared.pages import read_rows
from shared.schemas import ContentRecord
from shared.settings import REPO_ROOT, Settings, get_settings
from shared.stored import StoredAlert, StoredClassification

SAMPLE = REPO_ROOT / "deploy" / "sample"
NEUTRALITY_NEWS_ID = "semarang-sosialisasi-netralitas-2024-01-18"
console = Console()


def _valid_content_ids(lines: list[bytes]) -> dict[str, str]:
    ids = {}
    for line in lines:
        try:
            record = ContentRecord.model_validate_json(line)
        except ValueError:
            continue
        ids[record.external_id] = record.content_id
    return ids


async def _progress(settings: Settings, content_ids: list[str]) -> tuple[int, int]:
    client, db = connect(settings)
    try:
        classified = len([row async for row in read_rows(db[StoredClassification.COLLECTION], ids=content_ids,
                                                         time_field=StoredClassification.TIME_FIELD)])
        alerts = await db["alerts"].count_documents({})
        return classified, alerts
    finally:
        await client.close()


async def _alerts(settings: Settings) -> list[dict]:
    client, db = connect(settings)
    try:
        docs = await db[StoredAlert.COLLECTION].find({}).sort("created_at", 1).to_list(None)
        return [StoredAlert.from_document(doc).alert().model_dump(mode="json") for doc in docs]
    finally:
        await client.close()


def wait_until_drained(settings: Settings, content_ids: list[str], timeout: float = 120) -> None:
    """Drained = every valid record classified and the alert count stable for a few seconds."""
    deadline, last, stable_since = time.monotonic() + timeout, None, time.monotonic()
    with console.status("pipeline bekerja...") as status:
        while time.monotonic() < deadline:
            classified, alerts = asyncio.run(_progress(settings, content_ids))
            status.update(f"diklasifikasi {classified}/{len(content_ids)}, peringatan {alerts}")
            if (classified, alerts) != last:
                last, stable_since = (classified, alerts), time.monotonic()
            elif classified == len(content_ids) and time.monotonic() - stable_since > 4:
                return
            time.sleep(0.5)
    console.print("[yellow]pipeline belum selesai dalam batas waktu; lihat log di .run/demo/logs[/yellow]")


def print_summary(alerts: list[dict], content_ids: dict[str, str]) -> None:
    per_agency: dict[str, list[dict]] = defaultdict(list)
    for alert in alerts:
        per_agency[alert["agency_code"]].append(alert)
    table = Table(title="Peringatan dugaan pelanggaran netralitas ASN per instansi")
    for column in ("instansi", "kode", "jumlah", "bentuk pelanggaran"):
        table.add_column(column)
    for code, items in sorted(per_agency.items()):
        forms = ", ".join(sorted({a["classification"]["form"] for a in items}))
        table.add_row(items[0]["subject"]["agency_name"], code, str(len(items)), forms)
    console.print(table)
    config = load_notify_config()
    for alert in alerts:
        subject, classification = alert["subject"], alert["classification"]
        sides = "; ".join(
            f"{'mendukung' if s['polarity'] == 'support' else 'menentang'} "
            f"{config.contestant_names.get(s['contestant'], s['contestant'])} ({s['contestant']})"
            for s in classification["stance"][:3]
        )
        form = config.sanctions.for_form(classification["form"])
        console.print(f"• [bold]{alert['agency_code']}[/bold] {subject['name']} (NIP {mask_nips(subject['nip'])}), "
                      f"{subject['position']}\n  {sides}\n  bentuk: {form.form_label} "
                      f"[dim]({classification['form']}; apabila terbukti: {form.discipline_label})[/dim]\n"
                      f"  {alert['content']['url']}")
    console.print("Ringkasan lengkap berbahasa Indonesia, dasar hukum dan penjelasan: `.venv/bin/pantau alerts --json`.")
    alerted = {a["content"]["content_id"] for a in alerts}
    news_alerted = content_ids.get(NEUTRALITY_NEWS_ID) in alerted
    verdict = "[red]ADA peringatan (salah)[/red]" if news_alerted else "[green]tidak ada peringatan (benar)[/green]"
    console.print(f"Berita sosialisasi netralitas ASN: {verdict}")
    console.print("Semua peringatan adalah [bold]dugaan[/bold] yang menunggu verifikasi analis, bukan putusan.")


def main() -> int:
    settings = get_settings()
    stack = LocalStack(settings)
    console.rule("Pantau Netral: demo lokal")
    console.print("1/4 menjalankan Kafka, FerretDB dan keenam proses layanan dari keadaan bersih...")
    # A demo shows what the current code does: start from empty topics and an empty store.
    stack.services_down()
    stack.infra_down()
    shutil.rmtree(settings.state_dir, ignore_errors=True)
    stack.infra_up()
    stack.services_up()
    stack.wait_services_ready(("ingest", "classify", "notify", "api", "dispatcher"))
    console.print("2/4 mengimpor registri ASN contoh...")
    pantau = str(Path(sys.executable).parent / "pantau")
    subprocess.run([pantau, "registry", "import", str(SAMPLE / "registry.csv")], check=True)
    stack.wait_services_ready(("match",))
    console.print("3/4 mengirim konten contoh ke pantau.content.submitted.v1...")
    lines = (SAMPLE / "content.jsonl").read_bytes().splitlines()
    asyncio.run(publish_lines(settings, lines))
    content_ids = _valid_content_ids(lines)
    console.print("4/4 menunggu hasil...")
    wait_until_drained(settings, sorted(set(content_ids.values())))
    print_summary(asyncio.run(_alerts(settings)), content_ids)
    console.print("\nLayanan tetap berjalan. JSON: `.venv/bin/pantau alerts --json`; berhenti: `.venv/bin/pantau down`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
