from __future__ import annotations

import pytest

from services.match.domain.engine import MatchConfig, MatchEngine
from services.match.domain.generator import generate_rows

from .golden import NAMESAKES, PLANTED

BACKGROUND = 30_000


def golden_rows() -> list[tuple[str, ...]]:
    rows = list(generate_rows(BACKGROUND, seed=11))
    planted = {p.nip for p in PLANTED + NAMESAKES}
    rows = [r for r in rows if r[0] not in planted]
    return rows + [p.row() for p in PLANTED + NAMESAKES]


def golden_engine_from(rows: list[tuple[str, ...]]) -> MatchEngine:
    return MatchEngine.from_rows(rows, registry_version="golden", config=MatchConfig())


@pytest.fixture(scope="session")
def golden_engine() -> MatchEngine:
    return golden_engine_from(golden_rows())
