"""Synthetic content load against the sample registry (deploy/sample/registry.csv).

One mix for the crash test, the pipeline benchmark and soak runs: a fifth partisan posts by people
in the registry (each must alert), a fifth partisan posts by unknown accounts (classified, never
alerted), the rest everyday posts by registered people (never alerted).
"""
from __future__ import annotations

from shared.schemas import content_id_for

REGISTERED_X_HANDLES = ("bambang_ht", "rizkypratama_", "agus_setia82", "hendragunawan_mm", "andiarief_smd")
PARTISAN_TEXTS = (
    "Coblos nomor 2 ya tanggal 14! Prabowo-Gibran satu putaran #PrabowoGibran2024",
    "Ayo menangkan AMIN, pilih 01 Anies-Muhaimin untuk perubahan #AMIN2024",
    "Dukung Ganjar-Mahfud nomor 3, sat set tas tes! #GanjarMahfud2024",
)
NEUTRAL_TEXTS = (
    "Rapat koordinasi penyusunan anggaran 2025 berjalan lancar hari ini.",
    "Jalan di depan kantor macet parah gara-gara hujan deras sejak pagi.",
    "Selamat hari guru untuk semua pendidik di Indonesia 🙏",
)


def mixed_post(run: str, i: int) -> tuple[dict, bool]:
    """Record number ``i`` of the mix for ``run``, and whether it must alert."""
    external_id = f"{run}-{i:07d}"
    if i % 5 == 0:
        handle, text = REGISTERED_X_HANDLES[i % len(REGISTERED_X_HANDLES)], PARTISAN_TEXTS[i % 3]
    elif i % 5 == 1:
        handle, text = f"anon_{i}", PARTISAN_TEXTS[i % 3]
    else:
        handle, text = REGISTERED_X_HANDLES[i % len(REGISTERED_X_HANDLES)], NEUTRAL_TEXTS[i % 3]
    record = {"source": "x", "external_id": external_id, "kind": "post", "text": text,
              "url": f"https://x.com/{handle}/status/{i}", "author": {"handle": handle},
              "published_at": "2024-01-20T10:00:00+07:00"}
    return record, i % 5 == 0


def is_partisan(i: int) -> bool:
    return i % 5 in (0, 1)


def mixed_posts(run: str, total: int) -> tuple[list[dict], set[str]]:
    """``total`` content records with ids unique to ``run``, and the content ids that must alert."""
    records, must_alert = [], set()
    for i in range(total):
        record, alerts = mixed_post(run, i)
        records.append(record)
        if alerts:
            must_alert.add(content_id_for("x", record["external_id"]))
    return records, must_alert
