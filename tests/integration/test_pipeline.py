"""End to end on the real stack: `pantau submit` -> ingest -> classify -> match -> notify."""
from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest

from shared import topics
from shared.kafka import WEB_PORT_OFFSETS
from shared.mongo import connect
from shared.pages import read_rows
from shared.schemas import content_id_for
from shared.stored import MatchResult
from tests.integration.conftest import SAMPLE, alerts_json, read_topic, run_cli, unique, wait_for

pytestmark = pytest.mark.integration

PARTISAN_BY_REGISTERED_HANDLE = {
    "source": "x", "kind": "post", "url": "https://x.com/bambang_ht/status/1",
    "text": "Fix coblos nomor 2 tanggal 14 Februari! Prabowo-Gibran satu putaran #PrabowoGibran2024",
    "author": {"handle": "bambang_ht", "display_name": "Bambang H."},
    "published_at": "2024-01-10T08:15:00+08:00",
}


def submit(tmp_path, records: list, name: str = "in.jsonl") -> None:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    run_cli("submit", "--send-invalid", str(path))  # bad lines on purpose: ingest dead-letters them


def stored_match(settings, content_id: str) -> dict | None:
    async def read() -> dict | None:
        client, db = connect(settings)
        try:
            rows = [row async for row in read_rows(db[MatchResult.COLLECTION], ids=[content_id],
                                                   time_field=MatchResult.TIME_FIELD)]
            return rows[0] if rows else None
        finally:
            await client.close()

    return asyncio.run(read())


def alerts_for_content(content_id: str) -> list[dict]:
    return [a for a in alerts_json() if a["content"]["content_id"] == content_id]


def test_match_not_ready_until_a_registry_is_loaded(pipeline):
    status, body = pipeline["match_readyz_before_import"]
    assert status == 503
    assert body["checks"]["registry_loaded"] is False


def test_partisan_post_by_registered_handle_alerts_once_within_30s(pipeline, settings, tmp_path):
    record = {**PARTISAN_BY_REGISTERED_HANDLE, "external_id": unique("e2e")}
    content_id = content_id_for("x", record["external_id"])
    started = time.monotonic()
    submit(tmp_path, [record])
    found = wait_for(lambda: alerts_for_content(content_id), 30, "the alert in `pantau alerts --json`")
    assert time.monotonic() - started < 30
    assert [a["agency_code"] for a in found] == ["PEMPROV-73"]
    assert found[0]["subject"]["nip"] == "197905212005011003"
    assert found[0]["classification"]["partisan"] is True
    assert found[0]["classification"]["evidence"], "an alert must carry the evidence that decided it"
    assert found[0]["match"]["explanation"], "an alert must explain the match"

    # The same record again, then a sentinel: once the sentinel alerted, the duplicate was handled.
    sentinel = {**PARTISAN_BY_REGISTERED_HANDLE, "external_id": unique("sentinel")}
    submit(tmp_path, [record, sentinel], "again.jsonl")
    wait_for(lambda: alerts_for_content(content_id_for("x", sentinel["external_id"])), 30, "the sentinel alert")
    assert len(alerts_for_content(content_id)) == 1

    def on_topic() -> list:
        return [m for m in read_topic(settings, topics.ALERTS.name)
                if json.loads(m.value)["content"]["content_id"] == content_id]

    # Stored before published (and a batch retried after a store hiccup publishes later still).
    wait_for(on_topic, 30, "the alert on pantau.alerts.v1")
    [published] = on_topic()
    assert published.key == b"PEMPROV-73"


def test_sample_content_alerts_the_right_agencies_and_not_the_look_alikes(pipeline, settings):
    run_cli("submit", "--send-invalid", str(SAMPLE / "content.jsonl"))  # its line without external_id is dead-lettered by ingest
    samples = [json.loads(line) for line in (SAMPLE / "content.jsonl").read_text().splitlines()]
    ids = {r["external_id"]: content_id_for(r["source"], r["external_id"]) for r in samples if "external_id" in r}
    wait_for(lambda: alerts_for_content(ids["1745000000000000010"]), 45, "the alert for the NIP written in a bio")
    time.sleep(3)  # let the rest of the batch drain
    alerted = {a["content"]["content_id"] for a in alerts_json()}
    for must_not_alert in ("semarang-sosialisasi-netralitas-2024-01-18", "cekfakta-camat-ajak-pilih-02",
                           "C2dToba0001", "1745000000000000006", "1745000000000000008", "1745000000000000011"):
        assert ids[must_not_alert] not in alerted, must_not_alert
    assert ids["1745000000000000001"] in alerted


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("this is not json MARKER", None),
        ('{"source": "x", "text": "tanpa external_id MARKER"}', "external_id"),
        ('{"source": "x", "external_id": "MARKER", "kind": 5, "text": ["a"]}', "kind"),
        ('{"source": "x", "external_id": "MARKER", "published_at": "kemarin"}', "published_at"),
    ],
)
def test_malformed_records_go_to_the_dead_letter_topic_with_the_field(pipeline, settings, tmp_path, template, field):
    marker = unique("dlq")
    bad = template.replace("MARKER", marker)
    after = {**PARTISAN_BY_REGISTERED_HANDLE, "external_id": unique("after-bad")}
    submit(tmp_path, [bad, after])
    # The stream goes on: the valid record after the bad one is processed.
    wait_for(lambda: alerts_for_content(content_id_for("x", after["external_id"])), 30, "the record after the bad one")

    def my_letters() -> list[dict]:
        letters = [json.loads(m.value) for m in read_topic(settings, topics.CONTENT_SUBMITTED.dead_letter)]
        return [letter for letter in letters if marker in letter["raw"]]

    # The two records may sit on different partitions, so the letter can trail the other record's alert.
    mine = wait_for(my_letters, 30, "the dead letter")
    assert len(mine) == 1
    letter = mine[0]
    assert letter["stage"] == "ingest"
    if field is None:
        assert letter["error_type"] == "invalid_json"
    else:
        assert letter["error_type"] == "validation"
        assert field in letter["fields"] and field in letter["reason"]


def test_http_ingest_requires_a_key_and_names_bad_fields(pipeline, settings):
    url = f"http://127.0.0.1:{settings.ingest_port}/v1/content"

    def post(body: bytes, key: str | None) -> tuple[int, dict]:
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        if key:
            request.add_header("X-API-Key", key)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    record = {**PARTISAN_BY_REGISTERED_HANDLE, "external_id": unique("http")}
    assert post(json.dumps(record).encode(), None)[0] == 401
    status, body = post(json.dumps([record, {"source": "x"}]).encode(), "test-ingest-key")
    assert status == 400
    assert body["error"]["details"][0]["index"] == 1 and "external_id" in body["error"]["details"][0]["fields"]
    status, body = post(json.dumps([record]).encode(), "test-ingest-key")
    assert status == 202
    content_id = body["accepted"][0]["content_id"]
    assert content_id == content_id_for("x", record["external_id"])
    wait_for(lambda: alerts_for_content(content_id), 30, "the alert for the HTTP-submitted record")


@pytest.mark.parametrize("stage", ["ingest", "classify", "match", "notify"])
def test_every_stage_exports_its_throughput_and_lag_on_metrics(pipeline, settings, tmp_path, stage):
    record = {**PARTISAN_BY_REGISTERED_HANDLE, "external_id": unique("metrics")}
    submit(tmp_path, [record])
    wait_for(lambda: alerts_for_content(content_id_for("x", record["external_id"])), 30, "the alert")
    port = settings.ingest_port if stage == "ingest" else settings.web_port_base + WEB_PORT_OFFSETS[stage]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    processed = [line for line in text.splitlines()
                 if line.startswith(f'pantau_events_total{{outcome="processed",stage="{stage}"}}')]
    assert processed and float(processed[0].split()[-1]) >= 1, text[:2000]
    assert 'pantau_consumer_lag{partition="' in text and f'stage="{stage}"' in text


def test_analyst_rejecting_the_wrong_person_stops_that_pairing_for_later_posts(pipeline, settings, tmp_path):
    post = {"source": "x", "kind": "post", "text": "Coblos 02 ya! Prabowo-Gibran satu putaran #PrabowoGibran2024",
            "author": {"handle": "fajarnug"}, "url": "https://x.com/fajarnug/status/1"}
    first = {**post, "external_id": unique("wrong-person")}
    submit(tmp_path, [first])
    [alert] = wait_for(lambda: alerts_for_content(content_id_for("x", first["external_id"])), 30, "the first alert")
    assert alert["agency_code"] == "BPS" and alert["match"]["author_key"] == "x:fajarnug"

    analyst = run_cli("agency", "key", "create", "BKN", "--role", "analyst", "--label", "uji").stdout.strip()
    request = urllib.request.Request(
        f"http://127.0.0.1:{settings.api_port}/v1/cases/{alert['alert_id']}/reject", method="POST",
        data=json.dumps({"reason": "akun ini milik orang lain bernama sama", "wrong_person": True}).encode(),
        headers={"Content-Type": "application/json", "X-API-Key": analyst})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["status"] == "closed_not_proven"

    time.sleep(6)  # the match service reloads judgements every 5 s
    later = {**post, "external_id": unique("wrong-person-later")}
    submit(tmp_path, [later], "later.jsonl")
    matched = wait_for(lambda: stored_match(settings, content_id_for("x", later["external_id"])), 30,
                       "the later post to be matched")
    assert [m for m in matched["matches"] if m["nip"] == alert["subject"]["nip"]] == []
    assert alerts_for_content(content_id_for("x", later["external_id"])) == []


def api(settings, method: str, path: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{settings.api_port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_review_candidate_from_the_real_pipeline_is_accepted_into_a_case(pipeline, settings, tmp_path):
    """Issue 19, bug 1: the queue and the case are read from what ingest, classify and match really stored
    (a name and a region only: the matcher proposes the person for review, never alerts by itself)."""
    post = {"source": "x", "kind": "post", "external_id": unique("review"), "url": "https://x.com/rina_m/status/9",
            "text": "Coblos 02 ya! Prabowo-Gibran satu putaran #PrabowoGibran2024",
            "author": {"handle": "rina_m", "display_name": "Rina Marlina", "bio": "Cilacap"},
            "media": [{"type": "image", "caption": "salam dua jari"}]}
    content_id = content_id_for("x", post["external_id"])
    submit(tmp_path, [post])
    analyst = run_cli("agency", "key", "create", "BKN", "--role", "analyst", "--label", "uji-review").stdout.strip()

    def candidate() -> list[dict]:
        return [r for r in api(settings, "GET", "/v1/reviews", analyst)[1]["items"] if r["content_id"] == content_id]

    [review] = wait_for(candidate, 30, "the review candidate in /v1/reviews")
    assert review["nip"] == "199002142019032011" and review["excerpt"].startswith("Coblos 02 ya!")
    assert alerts_for_content(content_id) == []  # review band: no alert until an analyst says so
    status, accepted = api(settings, "POST", f"/v1/reviews/{review['review_id']}/accept", analyst,
                           {"reason": "foto profil dan unit kerja cocok"})
    assert status == 200, accepted
    status, case = api(settings, "GET", f"/v1/cases/{accepted['case_id']}", analyst)
    assert status == 200 and case["subject"]["nip"] == "199002142019032011"
    assert case["content"]["content_id"] == content_id and case["classification"]["partisan"] is True
    assert case["match"]["explanation"][-1]["feature"] == "analyst_review"
    assert candidate() == []  # decided: out of the open queue
    assert [a["alert_id"] for a in alerts_for_content(content_id)] == [accepted["case_id"]]  # in `pantau alerts`
