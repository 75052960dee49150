"""An alert is filed under the agency directory's code, the one the agency's keys hold: a ministry renamed
since the registry was exported (its former code an alias) still sees its civil servants' cases."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.notify.alerts import alerts_for
from shared.schemas import ContentMatched

from .conftest import make_alert

NOW = datetime(2024, 1, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("registry_code, filed_under", [
    ("KOMINFO", "KOMDIGI"), ("KEMENPUPR", "KEMENPU"), ("KEMENKEU", "KEMENKEU"), ("PEMKOT-3374", "PEMKOT-3374"),
    ("NOT-IN-DIRECTORY", "NOT-IN-DIRECTORY"),  # kept as the registry says: routed to the fallback receiver
])
def test_alerts_are_filed_under_the_directory_code(notify_config, registry_code, filed_under):
    sample = make_alert(agency_code=registry_code, agency_name="x")
    item = ContentMatched(content_id=sample.content.content_id, evidence_sha256="ab" * 32,
                          record={"source": "instagram", "external_id": sample.content.external_id, "text": "x"},
                          classification=sample.classification, matches=[sample.match.model_copy(
                              update={"subject": sample.subject})], registry_version="r")
    [alert] = alerts_for(item, NOW, notify_config, "http://127.0.0.1:8080")
    assert alert.agency_code == filed_under and alert.subject.agency_code == registry_code
