"""Reviewers' "not this person" judgements (``shared.stored.Judgement``): written by the agency API when an
analyst rejects a review or a case as the wrong person, read by the match service, which never pairs that
author and NIP again.
"""
from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from shared.schemas import utcnow
from shared.stored import Judgement


async def load_judgements(db: AsyncDatabase) -> frozenset[tuple[str, str]]:
    """(nip, author_key) pairs a reviewer judged "not this person"."""
    rows = await db[Judgement.COLLECTION].find({"verdict": "not_this_person"}).to_list(None)
    return frozenset((j.nip, j.author_key) for j in map(Judgement.from_document, rows))


async def record_judgement(db: AsyncDatabase, nip: str, author_key: str, reviewer: str, reason: str) -> None:
    judgement = Judgement.of(nip, author_key, reviewer, reason, utcnow())
    await db[Judgement.COLLECTION].replace_one({"_id": judgement.key}, judgement.document(), upsert=True)
