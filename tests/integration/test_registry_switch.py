"""A registry import is in force when it says so, and re-screening finds people it adds.

On the real stack: `pantau registry import` of a version that adds one person, then that person's
partisan post published within 100 ms of the command returning, alerts exactly once for the
person's agency (match holds records until it has loaded the newly active version). And a partisan
post by someone absent from the active version alerts, exactly once, after a version adding them
becomes active (re-screening of stored partisan content). And a re-screen whose worker is killed
(kill -9) mid-way is taken over once its lease runs out, finished, and alerts every added person once.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from services.match.domain.nip import make_nip
from shared.kafka_client import client_options
from shared.mongo import connect
from shared.pages import read_rows
from shared.schemas import alert_id_for, content_id_for
from shared.stored import MatchResult
from shared.topics import ALERTS, CONTENT_SUBMITTED
from tests.integration.conftest import SAMPLE, alerts_json, read_topic, run_cli, unique, wait_for
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
        producer = AIOKafkaProducer(**client_options(settings), acks="all")
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


def _count(settings, collection: str, ids: list[str]) -> int:
    async def count() -> int:
        client, db = connect(settings)
        try:
            return len([row async for row in read_rows(db[collection], ids=ids, time_field=MatchResult.TIME_FIELD)])
        finally:
            await client.close()

    return asyncio.run(count())


def _registry_status() -> dict:
    return json.loads(run_cli("registry", "status", "--json").stdout)


KILLED = 160  # posts by people the next version adds; re-screened one per chunk (PANTAU_RESCREEN_CHUNK=1)


def test_rescreen_cut_off_by_kill_9_is_taken_over_and_alerts_each_person_once(pipeline, settings, tmp_path):
    stack = pipeline["stack"]
    handles = [f"asn_{uuid.uuid4().hex[:10]}" for _ in range(KILLED)]
    records = [_post(handle) for handle in handles]
    ids = [content_id_for("x", r["external_id"]) for r in records]
    submit(tmp_path, records)
    wait_for(lambda: _count(settings, "matches", ids) == KILLED, 120, "the no-match results under the old version")
    people = [_person(100 + i, handle) for i, handle in enumerate(handles)]
    run_cli("registry", "import", str(_registry_with(tmp_path, "v-kill.csv", people)))
    version = _registry_status()["active"]["version"]
    rescreened = [f"{content_id}@{version}" for content_id in ids]
    wait_for(lambda: _count(settings, "rescreen_matches", rescreened) >= 1, 90, "the re-screen's first new result",
             interval=0.02)
    match = stack.service("match")
    os.killpg(match.pid(), signal.SIGKILL)
    match.wait_exited()
    assert _count(settings, "rescreen_matches", rescreened) < KILLED, "the kill must land mid-re-screen"
    cut_off = _registry_status()["rescreen"]
    assert cut_off["state"] in ("in_progress", "stalled") and cut_off["generation"] == 0, cut_off
    dead = cut_off["claimed_by"]

    stack.services_up(("match",))
    # The restarted worker (a new worker id) waits for the dead claimer's lease, then takes over.
    done = wait_for(lambda: (s := _registry_status()["rescreen"])["state"] == "done" and s, 120, "the re-screen done")
    assert done["done_by"] != dead and done["generation"] >= 1, done
    assert _count(settings, "rescreen_matches", rescreened) == KILLED
    expected = {alert_id_for(person[0], content_id) for person, content_id in zip(people, ids)}
    wait_for(lambda: {a["alert_id"] for a in alerts_json() if a["alert_id"] in expected} == expected, 90,
             "an alert for every added person")

    def published() -> Counter | None:
        found = Counter(a for m in read_topic(settings, ALERTS.name)
                        if (a := json.loads(m.value)["alert_id"]) in expected)
        return found if set(found) == expected else None

    wait_for(published, 60, "every alert on pantau.alerts.v1")
    time.sleep(3)  # a repeat published by the resumed re-screen would arrive by now
    per_alert = published()
    assert [a for a, n in per_alert.items() if n > 1] == [], "an alert was published twice"
