"""A registry import is in force when it says so, and re-screening finds people it adds.

On the real stack: `pantau registry import` of a version that adds one person, then that person's
partisan post published within 100 ms of the command returning, alerts exactly once for the
person's agency (match holds records until it has loaded the newly active version). And a partisan
post by someone absent from the active version alerts, exactly once, after a version adding them
becomes active (re-screening of stored partisan content).
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from services.match.domain.nip import make_nip
from shared.schemas import content_id_for
from shared.topics import CONTENT_SUBMITTED
from tests.integration.conftest import SAMPLE, alerts_json, run_cli, unique, wait_for
from tests.integration.test_pipeline import stored_match, submit

pytestmark = pytest.mark.integration

TEXT = "Fix coblos nomor 2 tanggal 14 Februari! Prabowo-Gibran satu putaran #PrabowoGibran2024"
AGENCY = ("PEMPROV-73", "Pemerintah Provinsi Sulawesi Selatan", "Dinas Pekerjaan Umum dan Tata Ruang",
          "Analis Jalan dan Jembatan", "73", "73.71")


def _person(seq: int, handle: str) -> list[str]:
    born = date(1986, 1, 1 + seq % 27)
    return [make_nip(born, 2012, 3, "M", 700 + seq), "Yosef Tandiarrang, S.T.",
            born.isoformat(), "M", *AGENCY, f"x:{handle}"]


def _registry_with(tmp_path: Path, name: str, people: list[list[str]]) -> Path:
    path = tmp_path / name
    lines = SAMPLE.joinpath("registry.csv").read_text(encoding="utf-8").rstrip("\n").splitlines()
    lines += [",".join(json.dumps(v) if "," in v else v for v in row) for row in people]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _alerts_for(content_id: str) -> list[dict]:
    return [a for a in alerts_json() if a["content"]["content_id"] == content_id]


def _post(handle: str) -> dict:
    return {"source": "x", "kind": "post", "external_id": unique("switch"), "url": f"https://x.com/{handle}/status/1",
            "text": TEXT, "author": {"handle": handle, "display_name": "Relawan"},
            "published_at": "2024-01-10T08:15:00+08:00"}


def _exactly_one_alert(content_id: str, nip: str) -> None:
    wait_for(lambda: _alerts_for(content_id), 90, "the alert for the newly registered person")
    time.sleep(5)  # a second alert (a duplicate, or another person) would arrive by now
    alerts = _alerts_for(content_id)
    assert len(alerts) == 1, [a["alert_id"] for a in alerts]
    assert alerts[0]["agency_code"] == AGENCY[0]
    assert alerts[0]["subject"]["nip"] == nip


def test_post_right_after_import_is_matched_against_the_new_version(pipeline, settings, tmp_path):
    handle = f"asn_{uuid.uuid4().hex[:10]}"
    person = _person(1, handle)
    registry = _registry_with(tmp_path, "v2.csv", [person])
    record = _post(handle)
    content_id = content_id_for("x", record["external_id"])

    async def import_then_publish() -> float:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
        await producer.start()
        try:
            neutral = {**_post("warga_biasa"), "text": "Selamat pagi, semoga hari ini cerah."}
            await producer.send_and_wait(CONTENT_SUBMITTED.name, json.dumps(neutral).encode())  # topic metadata
            result = await asyncio.to_thread(run_cli, "registry", "import", str(registry))
            returned = time.perf_counter()
            assert "is active" in result.stderr + result.stdout
            await producer.send(CONTENT_SUBMITTED.name, json.dumps(record).encode(), key=content_id.encode())
            sent = time.perf_counter() - returned
            await producer.flush()
            return sent
        finally:
            await producer.stop()

    sent_after = asyncio.run(import_then_publish())
    assert sent_after < 0.1, f"published {sent_after * 1000:.0f} ms after the import returned"
    _exactly_one_alert(content_id, person[0])
    status = json.loads(run_cli("registry", "status", "--json").stdout)
    assert status["active"]["rows_loaded"] >= 20
    assert any(w["current"] and not w["stale"] for w in status["workers"]), status


def test_rescreen_alerts_a_person_added_by_the_new_version_once(pipeline, settings, tmp_path):
    handle = f"asn_{uuid.uuid4().hex[:10]}"
    record = _post(handle)
    content_id = content_id_for("x", record["external_id"])
    submit(tmp_path, [record])
    # Matched against the current version, which does not know the author: stored without a match.
    stored = wait_for(lambda: stored_match(settings, content_id), 60, "the no-match result under the old version")
    assert not [m for m in stored["matches"] if m["band"] == "match"]
    assert not _alerts_for(content_id)
    person = _person(2, handle)
    run_cli("registry", "import", str(_registry_with(tmp_path, "v3.csv", [person])))
    _exactly_one_alert(content_id, person[0])
    # By hand, on demand: everything is found again, nothing is new, no alert is repeated.
    since = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%d")
    report = json.loads(run_cli("match", "rescreen", "--since", since, "--json").stdout)
    assert report["partisan"] >= 1 and report["rematched"] >= 1 and report["new_results"] == 0, report
    time.sleep(3)
    assert len(_alerts_for(content_id)) == 1
