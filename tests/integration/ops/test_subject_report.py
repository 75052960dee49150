"""`pantau subject report NIP` on the real store: a data-subject request sees every record about that person,
written by the system's own writers, and nothing about anyone else (UU PDP; docs/privacy.md)."""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from services.match.worker import store_results
from services.notify.store import NotifyStore
from shared.judgements import record_judgement
from shared.mongo import connect
from shared.schemas import ContentClassified, utcnow
from shared.stored import ReviewCandidate
from tests.integration.conftest import run_cli, unique
from tests.unit.notify.conftest import make_alert

pytestmark = pytest.mark.integration

ASKING, OTHER = "198201012008011001", "199912312022032002"


def _store_about(settings, nip: str, tag: str) -> dict[str, str]:
    """An alert with its case, a match, a review candidate and a judgement naming ``nip``."""
    alert = make_alert(nip=nip, external_id=f"{tag}-{nip}")
    item = ContentClassified(content_id=alert.content.content_id, evidence_sha256="ab" * 32,
                             record={"source": "instagram", "external_id": alert.content.external_id, "text": "x"},
                             classification=alert.classification)
    review = ReviewCandidate.of(item, alert.match.model_copy(update={"band": "review"}), 2, "reg-1", utcnow())

    async def write():
        client, db = connect(settings)
        try:
            store = NotifyStore(db)
            await store.insert_alert(alert)
            await store.ensure_case(alert, alert.created_at)
            await store_results(db, SimpleNamespace(registry_version="reg-1"), [(item, [(alert.match, 1)])])
            await db[ReviewCandidate.COLLECTION].insert_one(review.document())
            await record_judgement(db, nip, f"x:{tag}", reviewer="analis-1", reason="orang lain")
        finally:
            await client.close()

    asyncio.run(write())
    return {"alert": alert.alert_id, "review": review.review_id, "content": item.content_id}


def test_the_report_holds_every_record_about_the_person_and_no_one_elses(stack, settings):
    tag = unique("subj")
    mine, theirs = _store_about(settings, ASKING, tag), _store_about(settings, OTHER, tag)
    done = run_cli("subject", "report", "19820101 200801 1 001")
    report = json.loads(done.stdout)
    ids = {section: {row["_id"] for row in rows} for section, rows in report.items() if section != "nip"}
    assert report["nip"] == ASKING
    assert mine["alert"] in ids["alerts"] and mine["alert"] in ids["cases"]
    assert mine["content"] in ids["matches"] and mine["review"] in ids["review_candidates"]
    assert f"{ASKING}|x:{tag}" in ids["judgements"]
    assert OTHER not in done.stdout and not {theirs["alert"], theirs["review"]} & set().union(*ids.values())
    assert "alerts: " in done.stderr


@pytest.mark.parametrize("bad", ["12345", "NIP198201012008011001", "19820101200801100x"])
def test_a_value_that_is_not_a_nip_is_refused_with_what_to_give(bad):
    done = run_cli("subject", "report", bad, check=False)
    assert done.returncode == 2 and "18 digits" in done.stderr
