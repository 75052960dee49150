"""The agency directory (config/agencies.yaml with config/central_agencies.yaml): every code the
registry generator produces resolves, renamed institutions keep their former codes as aliases, and
a broken or duplicated entry in either file is refused with a message naming it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pantau.commands.registry_import import agency_warning, unresolved_agencies
from services.match.domain.generator import generate_rows
from services.match.domain.reference import CENTRAL_AGENCIES, regions
from services.notify.domain.config import load_agency_directory, load_notify_config
from shared.config_paths import ConfigError
from shared.schemas import REGISTRY_CSV_HEADER

CONFIG = Path(__file__).resolve().parents[3] / "config"


def generator_codes() -> set[str]:
    """Every agency code `pantau registry generate` can write (generator.py draws from these)."""
    reg = regions()
    return ({a.code for a in CENTRAL_AGENCIES} | {f"PEMPROV-{code}" for code in reg.provinces}
            | {r.agency_code for r in reg.regencies.values()})


@pytest.fixture(scope="module")
def directory():
    return load_agency_directory(CONFIG / "agencies.yaml")


@pytest.mark.parametrize("code", sorted(a.code for a in CENTRAL_AGENCIES))
def test_every_central_code_of_the_generator_resolves(directory, code):
    assert directory.resolve(code) is not None


def test_every_regional_code_of_the_generator_resolves(directory):
    assert sorted(c for c in generator_codes() if directory.resolve(c) is None) == []


def test_generated_rows_use_only_those_codes():
    assert {row[4] for row in generate_rows(5000, seed=7)} <= generator_codes()


# code -> (code of the entry it resolves to, name, kind)
RESOLVES = [
    ("KEMENAG", "KEMENAG", "Kementerian Agama", "ministry"),
    ("KEMENKEU", "KEMENKEU", "Kementerian Keuangan", "ministry"),  # agencies.yaml, with contacts
    ("BPS", "BPS", "Badan Pusat Statistik", "agency"),
    ("KEMENKO-PMK", "KEMENKO-PMK", "Kementerian Koordinator Bidang Pembangunan Manusia dan Kebudayaan", "ministry"),
    ("KEMENIMIPAS", "KEMENIMIPAS", "Kementerian Imigrasi dan Pemasyarakatan", "ministry"),
    ("KEMENHAJ", "KEMENHAJ", "Kementerian Haji dan Umrah", "ministry"),
    ("BRIN", "BRIN", "Badan Riset dan Inovasi Nasional", "agency"),
    ("SETJEN-DPR", "SETJEN-DPR", "Sekretariat Jenderal Dewan Perwakilan Rakyat", "other"),
    ("KEJAKSAAN", "KEJAKSAAN", "Kejaksaan Republik Indonesia", "other"),
    ("KOMINFO", "KOMDIGI", "Kementerian Komunikasi dan Digital — Direktorat Jenderal Pengawasan Ruang Digital",
     "content_regulator"),
    ("KEMENPUPR", "KEMENPU", "Kementerian Pekerjaan Umum", "ministry"),
    ("KEMENDUKBANGGA", "BKKBN",
     "Kementerian Kependudukan dan Pembangunan Keluarga/Badan Kependudukan dan Keluarga Berencana Nasional", "ministry"),
    ("KEMENBUMN", "BP-BUMN", "Badan Pengaturan Badan Usaha Milik Negara", "agency"),
    ("KEMENKUMHAM", "KEMENKUMHAM", "Kementerian Hukum dan Hak Asasi Manusia (nomenklatur sebelum Oktober 2024)", "ministry"),
    ("PEMKAB-3301", "PEMKAB-3301", "Pemerintah Kabupaten (kode 33.01), Provinsi Jawa Tengah", "regency"),
]


@pytest.mark.parametrize("code,entry,name,kind", RESOLVES, ids=[r[0] for r in RESOLVES])
def test_codes_resolve_to_their_entry(directory, code, entry, name, kind):
    agency = directory.resolve(code)
    assert (agency.code, agency.name, agency.kind) == (entry, name, kind)


def test_split_ministries_name_their_successors(directory):
    for former, successors in (("KEMENKUMHAM", ("KEMENKUM", "KEMENHAM", "KEMENIMIPAS")),
                               ("KEMENDIKBUDRISTEK", ("KEMENDIKDASMEN", "KEMDIKTISAINTEK", "KEMENBUD")),
                               ("KLHK", ("KLH", "KEMENHUT"))):
        role = directory.resolve(former).role
        assert all(f"({code}" in role and directory.resolve(code) is not None for code in successors)


def test_contacts_stay_on_the_reserved_example_domain(directory):
    for agency in directory.agencies:
        assert all(e.endswith(".example") for e in agency.contacts.email)


def _copy(tmp_path: Path) -> Path:
    for name in ("routes.yaml", "agencies.yaml", "central_agencies.yaml", "sanctions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    return tmp_path


def _append_central(folder: Path, entry: str) -> None:
    with (folder / "central_agencies.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"  - {entry}\n")


BROKEN = [
    (lambda f: _append_central(f, "{code: KEMENKEU, name: Kementerian Keuangan}"), "'KEMENKEU' is listed twice"),
    (lambda f: _append_central(f, "{code: KOMINFO, name: Kominfo}"), "'KOMINFO' is listed twice"),  # an alias
    (lambda f: _append_central(f, "{code: KEMENAG, name: Lagi}"), "'KEMENAG' is listed twice"),
    (lambda f: _append_central(f, "{code: KEMENBARU}"), "central_agencies.yaml: agencies."),
    (lambda f: _append_central(f, "{code: kemenag-lama, name: X}"), "must be uppercase"),
    (lambda f: _append_central(f, "{code: BARU, name: X, aliases: [lama]}"), "must be uppercase"),
    (lambda f: (f / "central_agencies.yaml").unlink(), "central_agencies.yaml: file not found"),
    (lambda f: (f / "central_agencies.yaml").write_text("agencies: []\nprovinces: {}\n"), "central_agencies.yaml: provinces"),
    (lambda f: (f / "agencies.yaml").write_text((CONFIG / "agencies.yaml").read_text().replace(
        "include: [central_agencies.yaml]", "include: central_agencies.yaml")), "include: expected a list"),
]


@pytest.mark.parametrize("breaks,message", BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_directory_is_refused(tmp_path, breaks, message):
    folder = _copy(tmp_path)
    breaks(folder)
    with pytest.raises(ConfigError) as exc:
        load_notify_config(folder)
    assert message in str(exc.value)


# rows per agency code in an imported file -> the unresolved ones, most rows first
UNRESOLVED = [
    ({"KEMENAG": 10, "PEMKOT-3374": 5}, {}),
    ({"KEMENAG": 10, "DEPAG": 3, "X-1": 7, "KEMENKUMHAM": 2}, {"X-1": 7, "DEPAG": 3}),
    ({"PEMKAB-99": 1, "KASN": 4, "KOMINFO": 9}, {"KASN": 4, "PEMKAB-99": 1}),
]


@pytest.mark.parametrize("counts,unknown", UNRESOLVED)
def test_import_finds_unresolved_agency_codes(directory, counts, unknown):
    got = unresolved_agencies(counts, directory)
    assert got == unknown and list(got) == list(unknown)


WARNINGS = [
    ({}, 30, []),
    ({"X-1": 1200, "DEPAG": 3}, 30, ["2 agency code(s)", "(1,203 rows)", "  X-1: 1,200 rows", "  DEPAG: 3 rows"]),
    ({"A": 5, "B": 4, "C": 3}, 1, ["3 agency code(s)", "  A: 5 rows", "  ... and 2 more codes (7 rows)"]),
]


@pytest.mark.parametrize("unknown,max_listed,expected", WARNINGS)
def test_import_warning_lists_codes_and_rows(unknown, max_listed, expected):
    lines = agency_warning(unknown, max_listed)
    assert len(lines) == (min(len(unknown), max_listed) + 1 + (len(unknown) > max_listed) if unknown else 0)
    text = "\n".join(lines)
    assert all(part in text for part in expected)


def test_registry_import_warns_about_unresolved_codes(tmp_path, monkeypatch):
    """The real command on a generated file with two unknown codes; the store is replaced by a
    stand-in that consumes the rows as `import_registry` does."""
    import csv

    from typer.testing import CliRunner

    from pantau.app import build_app
    from pantau.commands import registry_import
    from services.match.registry_import import ImportReport

    rows = [list(r) for r in generate_rows(40, seed=3)]
    for row, code in zip(rows, ["DEPAG"] * 3 + ["KASN"] + ["KEMENAG"] * 2):
        row[4] = code
    path = tmp_path / "registry.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(REGISTRY_CSV_HEADER)
        writer.writerows(rows)

    def fake_import(uri, rows, **kwargs):
        report = ImportReport(version="v-test", activated=True)
        for row in rows:
            report.rows_read += 1
            report.rows_loaded += 1
        return report

    monkeypatch.setattr(registry_import, "import_registry", fake_import)
    monkeypatch.setattr(registry_import, "require_store", lambda settings: None)
    result = CliRunner().invoke(build_app(), ["registry", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 agency code(s) in this file are not in the agency directory (4 rows)" in result.output
    assert "  DEPAG: 3 rows\n  KASN: 1 row\n" in result.output and "KEMENAG" not in result.output
