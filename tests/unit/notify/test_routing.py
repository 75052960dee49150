"""Route tests as golden tables (like ``amtool config routes test``), on the shipped config and on
small trees that pin Alertmanager's semantics."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from services.notify.domain.config import load_notify_config
from shared.config_paths import ConfigError
from services.notify.domain.evaluate import plan_event, plan_for_labels
from services.notify.domain.labels import alert_labels
from services.notify.domain.recipients import Target
from services.notify.domain.routing import RouteSpec, build_tree, match_routes

from .conftest import T0, make_alert

BASE = {"agency": "PEMKOT-3374", "province": "33", "form": "engagement", "source": "instagram",
        "nip": "198503122010012004", "scope": "post"}

# labels (merged over BASE) -> receivers in firing order (the shipped config/routes.yaml)
GOLDEN = [
    ({"event": "suspected"}, ["bkn-neutrality-desk", "bawaslu-province", "pantau-notifications"]),
    ({"event": "forwarded"}, ["employing-agency", "komdigi"]),
    ({"event": "forwarded", "form": "mobilization"}, ["employing-agency"]),
    ({"event": "forwarded", "source": "news"}, ["employing-agency"]),
    ({"event": "forwarded", "form": "partisan_photo", "source": "tiktok"}, ["employing-agency", "komdigi"]),
    ({"event": "escalated"}, ["bkn-escalation"]),
    ({"event": "something-else"}, ["pantau-notifications"]),  # the root catches everything
]


@pytest.mark.parametrize("labels,receivers", GOLDEN, ids=[str(g[0]) for g in GOLDEN])
def test_shipped_routes_golden(notify_config, labels, receivers):
    got = [m.receiver for m in notify_config.match({**BASE, **labels})]
    assert got == receivers


def test_route_that_fired_explains_itself(notify_config):
    labels = {**BASE, "event": "forwarded"}
    komdigi = [m for m in notify_config.match(labels) if m.receiver == "komdigi"][0]
    assert komdigi.path == ("root", "komdigi-online-campaign")
    assert 'form=~"social_media_campaign|engagement|partisan_photo" (form="engagement")' in komdigi.reasons
    assert 'source!~"news|whatsapp_report" (source="instagram")' in komdigi.reasons
    explained = komdigi.explain()
    assert explained["route"] == "komdigi-online-campaign" and explained["group_wait"] == 1800


def test_templated_recipients_resolve_from_directory(notify_config):
    plan = plan_for_labels(notify_config, {**BASE, "event": "suspected", "province": "35"})
    bawaslu = [d.target for d in plan.deliveries if d.match.receiver == "bawaslu-province"]
    assert len(bawaslu) == 1 and isinstance(bawaslu[0], Target)
    assert bawaslu[0].recipient_code == "BAWASLU-35"
    assert bawaslu[0].recipient_name == "Bawaslu Provinsi Jawa Timur"
    # no province -> falls back to national Bawaslu
    plan = plan_for_labels(notify_config, {**BASE, "event": "suspected", "province": ""})
    bawaslu = [d.target for d in plan.deliveries if d.match.receiver == "bawaslu-province"]
    assert bawaslu[0].recipient_code == "BAWASLU"


# Forwarded case for agency -> (webhook recipient, e-mail recipient, note fragment) of the
# employing-agency receiver; None = Unresolved (recorded as a failure, never dropped). An agency
# without any agreed contact (or not in the directory) goes to the fallback BKN with a note; one
# with an e-mail but no webhook is not redirected.
FALLBACK = [
    ("PEMKOT-3374", "PEMKOT-3374", "PEMKOT-3374", ""),
    ("PEMPROV-33", None, "PEMPROV-33", ""),
    ("KOMINFO", None, "KOMDIGI", ""),  # alias of the renamed ministry
    ("KEMENAG", "BKN", "BKN", "Kementerian Agama (KEMENAG) belum memiliki kontak yang disepakati"),
    ("PEMKAB-3301", "BKN", "BKN", "Provinsi Jawa Tengah (PEMKAB-3301) belum memiliki kontak yang disepakati"),
    ("KEMENKUMHAM", "BKN", "BKN", "(nomenklatur sebelum Oktober 2024) (KEMENKUMHAM) belum memiliki kontak"),
    ("NOPE-9", "BKN", "BKN", "Kode instansi NOPE-9 tidak terdapat dalam direktori instansi Pantau Netral"),
]


@pytest.mark.parametrize("agency,webhook,email,note", FALLBACK, ids=[f[0] for f in FALLBACK])
def test_agency_without_contact_goes_to_fallback_with_a_note(notify_config, agency, webhook, email, note):
    plan = plan_for_labels(notify_config, {**BASE, "event": "forwarded", "agency": agency})
    targets = {d.target.integration: d.target for d in plan.deliveries if d.match.receiver == "employing-agency"}
    got = {kind: t.recipient_code if isinstance(t, Target) else None
           for kind, t in (("webhook", targets["employing-agency/webhook0"]), ("email", targets["employing-agency/email0"]))}
    assert got == {"webhook": webhook, "email": email}
    for t in targets.values():
        if isinstance(t, Target) and t.kind != "kafka":
            assert note in t.note and bool(t.note) == bool(note)
            if note:
                assert t.note.endswith("dikirim kepada Badan Kepegawaian Negara — Meja Pengawasan Netralitas ASN "
                                       "sebagai penerima pengganti untuk diteruskan.")
    assert targets["employing-agency/kafka0"].key == agency  # the stream stays keyed by the employing agency


def test_fallback_note_reaches_the_message(notify_config):
    from services.dispatcher.channels.email import render_email
    from services.dispatcher.payload import build_payload

    plan = plan_for_labels(notify_config, {**BASE, "event": "forwarded", "agency": "KEMENAG"})
    target = [d.target for d in plan.deliveries if d.target.integration == "employing-agency/email0"][0]
    payload = build_payload(
        notification_id="nf_test", group_key="g", status="firing", event="forwarded", receiver=target.receiver,
        integration=target.integration, recipient_code=target.recipient_code, recipient_name=target.recipient_name,
        recipient_note=target.note, group_labels={}, route={}, items=[], public_url="http://x", sent_at=T0,
    )
    assert payload["recipient"] == {"code": "BKN", "name": target.recipient_name, "note": target.note}
    _, text = render_email(payload)
    assert f"Catatan: {target.note}" in text


def test_alert_labels_from_alert(notify_config):
    alert = make_alert(form="party_membership", agency_code="PEMKAB-3301", province="33", evidence_field="author.bio")
    labels = alert_labels(alert, notify_config.directory, notify_config.sanctions, "suspected")
    assert labels["agency_kind"] == "regency" and labels["agency_level"] == "regional"
    assert labels["discipline"] == "ptdh" and labels["severity"] == "critical"
    assert labels["scope"] == "account" and labels["contestant"] == "capres-02"
    plan = plan_event(notify_config, alert, "suspected")
    assert plan.auto_forward_route is None  # shipped config: human verification first


# --------------------------------------------------------------- semantics on small trees
def tree(spec: dict):
    return build_tree(RouteSpec.model_validate(spec))


SEMANTICS_TREE = {
    "receiver": "default",
    "group_by": ["agency"],
    "group_wait": "30s",
    "routes": [
        {"name": "a", "matchers": ['form="engagement"'], "receiver": "ra", "continue": True,
         "routes": [{"name": "a-child", "matchers": ['province="33"'], "receiver": "ra-33", "group_wait": "1m"}]},
        {"name": "b", "matchers": ['form=~"engagement|partisan_photo"'], "receiver": "rb"},
        {"name": "c", "matchers": ['severity="high"'], "receiver": "rc"},  # after a non-continue match: skipped
    ],
}
SEMANTICS = [
    ({"form": "engagement", "province": "33"}, ["a-child", "b"]),  # continue on a, child wins inside a
    ({"form": "engagement", "province": "35"}, ["a", "b"]),  # no child matched -> a itself
    ({"form": "partisan_photo", "severity": "high"}, ["b"]),  # b does not continue -> c not tried
    ({"form": "mobilization", "severity": "high"}, ["c"]),
    ({"form": "mobilization"}, ["root"]),
]


@pytest.mark.parametrize("labels,names", SEMANTICS, ids=[str(s[0]) for s in SEMANTICS])
def test_alertmanager_semantics(labels, names):
    assert [m.route.name for m in match_routes(tree(SEMANTICS_TREE), labels)] == names


def test_children_inherit_settings():
    root = tree(SEMANTICS_TREE)
    child = root.children[0].children[0]
    assert child.group_by == ("agency",)  # inherited from root
    assert child.group_wait == timedelta(minutes=1)  # overridden
    assert root.children[1].group_wait == timedelta(seconds=30)
    assert root.children[1].group_interval == timedelta(minutes=5)  # default
    assert child.auto_forward is False


def _write(tmp_path: Path, routes: dict) -> Path:
    repo_config = Path(__file__).resolve().parents[3] / "config"
    for name in ("agencies.yaml", "central_agencies.yaml", "sanctions.yaml"):
        (tmp_path / name).write_text((repo_config / name).read_text())
    (tmp_path / "routes.yaml").write_text(yaml.safe_dump(routes))
    return tmp_path


MINIMAL = {
    "receivers": [{"name": "agency", "email": [{"to": "{agency}"}]}, {"name": "ops", "kafka": [{"topic": "t"}]}],
    "route": {"receiver": "ops", "group_by": ["agency"], "routes": [{"name": "x", "receiver": "agency"}]},
}

BAD_CONFIGS = [
    ({"route": {**MINIMAL["route"], "routes": [{"name": "x", "receiver": "nope"}]}}, "unknown receiver"),
    ({"route": {**MINIMAL["route"], "matchers": ['form="x"']}}, "root route must not have matchers"),
    ({"route": {**MINIMAL["route"], "group_by": ["nip"]}}, "must be in group_by"),
    ({"route": {**MINIMAL["route"], "routes": [{"name": "x", "receiver": "agency", "matchers": ['form=~"("']}]}}, "invalid regular expression"),
    ({"route": {**MINIMAL["route"], "group_wait": "soon"}}, "invalid duration"),
    ({"receivers": MINIMAL["receivers"] + [{"name": "ops", "kafka": [{"topic": "u"}]}]}, "used twice"),
    ({"receivers": [{"name": "agency", "webhook": [{"to": "X", "url": "https://a"}]}, {"name": "ops"}]}, "exactly one"),
    ({"unknown_key": 1}, "Extra inputs are not permitted"),
]


@pytest.mark.parametrize("patch,message", BAD_CONFIGS, ids=[b[1] for b in BAD_CONFIGS])
def test_bad_routes_are_refused_with_a_clear_message(tmp_path, patch, message):
    with pytest.raises(ConfigError) as exc:
        load_notify_config(_write(tmp_path, {**MINIMAL, **patch}))
    assert message in str(exc.value)


def test_auto_forward_route(tmp_path):
    routes = {
        "receivers": [{"name": "agency", "email": [{"to": "{agency}"}]}, {"name": "ops", "kafka": [{"topic": "t"}]}],
        "route": {"receiver": "ops", "group_by": ["agency", "nip"], "routes": [
            {"name": "fwd", "matchers": ['event="forwarded"'], "receiver": "agency",
             "routes": [{"name": "party", "matchers": ['form="party_membership"'], "auto_forward": True}]},
        ]},
    }
    config = load_notify_config(_write(tmp_path, routes))
    plan = plan_for_labels(config, {**BASE, "event": "suspected", "form": "party_membership"})
    assert plan.auto_forward_route is not None and plan.auto_forward_route.route.name == "party"
    plan = plan_for_labels(config, {**BASE, "event": "suspected", "form": "engagement"})
    assert plan.auto_forward_route is None
