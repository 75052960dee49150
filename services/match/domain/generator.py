"""Realistic synthetic ASN registry, streamed row by row (deterministic for a seed).

Names: real Indonesian name-token statistics (``data/name_token_position_counts.csv``: first /
middle / last / single position counts per gender; ``name_length_distribution.csv``: tokens per
name), with regional naming re-weighted by province: the source list over-represents Sulawesi and
Kalimantan markers (``la``/``wa``/``andi``/``noor``/``gusti``), so those are damped nationally and
restored in their provinces, and Balinese, Batak, Sundanese and eastern Christian naming patterns
are added where people live. Titles (S.Pd., M.Pd., dr., Ns., Drs./Dra., Ir., H./Hj. ...) follow the
position, age and religion on realistic shares.
Agencies: 22% central (ministries by acronym, posted across the country), 78% regional (provincial
governments PEMPROV-NN, regencies PEMKAB-NNNN and cities PEMKOT-NNNN from the real Kemendagri codes),
all weighted by population. NIPs are valid and unique (sequence increments when the first 15
digits collide); ~23% of people are PPPK with the NI PPPK layout. A share of people have social
handles; common names collide at the rate the token statistics produce.
"""
from __future__ import annotations

import csv
import io
import random
from bisect import bisect
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from shared.schemas import REGISTRY_CSV_HEADER

from .handles import normalize_handle
from .nip import make_nip, make_pppk
from .reference import CENTRAL_AGENCIES, DATA, PROVINCIAL_UNITS, REGIONAL_UNITS, regions

REFERENCE_DATE = date(2024, 12, 31)
CENTRAL_SHARE = 0.22
PROVINCIAL_SHARE_OF_REGIONAL = 0.18
FEMALE_SHARE = 0.54
PPPK_SHARE_TEACHING_HEALTH = 0.36
PPPK_SHARE_OTHER = 0.10
HAJJ_SHARE_OVER_40 = 0.14

_TITLE_TOKENS = {"h", "hj", "st", "se", "sh", "spd", "dr", "drs", "dra", "ir", "s", "m", "ssos", "sag", "amd",
                 "skm", "mpd", "msi", "mm", "sip", "skom", "amdkep", "spdi", "ns", "prof", "almarhum", "alm",
                 "binti", "bin", "dg", "daeng", "ny", "tn", "nn", "sdr", "sdri"}
# Damped nationally (over-represented in the source), restored in their provinces below.
_REGIONAL_MARKERS = {"la": ("74",), "wa": ("74",), "andi": ("73", "76"), "noor": ("63", "62", "64"),
                     "gusti": ("63", "51"), "anang": ("63",), "ni": ("51",), "i": ("51",), "made": ("51",),
                     "putu": ("51",), "ketut": ("51",), "nyoman": ("51",), "komang": ("51",), "kadek": ("51",),
                     "wayan": ("51",), "gede": ("51",), "luh": ("51",)}
_DAMP = 0.08

BALI_ORDER_M = ("Putu", "Wayan", "Gede", "Kadek", "Made", "Nyoman", "Komang", "Ketut")
BALI_ORDER_F = ("Putu", "Luh", "Kadek", "Made", "Nyoman", "Komang", "Ketut", "Luh Putu", "Luh Made")
BATAK_MARGA = ("Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak", "Sitompul", "Hutapea", "Pardede", "Sinaga",
               "Situmorang", "Simatupang", "Panjaitan", "Hutagalung", "Tampubolon", "Manurung", "Sihombing",
               "Silalahi", "Pasaribu", "Ginting", "Tarigan", "Sembiring", "Purba", "Damanik", "Saragih",
               "Nainggolan", "Batubara", "Hasibuan", "Pohan", "Daulay", "Rangkuti")
SUNDA_FIRST_M = ("Asep", "Ujang", "Dede", "Cecep", "Dadang", "Yayan", "Tatang", "Ade", "Deden", "Engkus", "Iwan", "Aceng")
SUNDA_FIRST_F = ("Euis", "Neneng", "Iis", "Entin", "Yuyun", "Imas", "Cucu", "Enok", "Lilis", "Titin", "Nining", "Ai")
SUNDA_LAST = ("Supriatna", "Hidayat", "Permana", "Sudrajat", "Nugraha", "Suryana", "Mulyana", "Rohmat", "Kusnadi",
              "Sumarna", "Rukmana", "Saepudin", "Hermawan", "Setiawan", "Kurniasih", "Rahayu", "Komalasari")
CHRISTIAN_FIRST_M = ("Yohanes", "Fransiskus", "Yosef", "Agustinus", "Paulus", "Petrus", "Stefanus", "Yulius", "Markus",
                     "Lukas", "Benediktus", "Aloysius", "Yakobus", "Daniel", "Samuel", "Yohanis", "Marthen")
CHRISTIAN_FIRST_F = ("Maria", "Anastasia", "Katarina", "Elisabeth", "Margaretha", "Kristina", "Yuliana", "Theresia",
                     "Agnes", "Veronika", "Magdalena", "Yohana", "Debora", "Ruth", "Febriana", "Meiske")
EAST_SURNAMES = {
    "53": ("Bere", "Tallo", "Fanggidae", "Manafe", "Ndun", "Lay", "Nenobais", "Seran", "Nahak", "Manek", "Bria", "Kolo"),
    "71": ("Rumengan", "Sumampouw", "Pangemanan", "Tumbelaka", "Lengkong", "Wowor", "Kaunang", "Mandagi", "Lumowa", "Sondakh", "Runtuwene", "Rondonuwu"),
    "81": ("Latuconsina", "Pattiasina", "Tuhumury", "Sahetapy", "Pelupessy", "Leiwakabessy", "Matulessy", "Huwae", "Siahaya", "Tuanakotta"),
    "91": ("Wenda", "Kogoya", "Wonda", "Yoman", "Tabuni", "Rumbiak", "Mandowen", "Wanggai", "Kambu", "Yikwa", "Sawaki", "Rumaropen"),
}
for _code in ("92", "93", "94", "95", "96"):
    EAST_SURNAMES[_code] = EAST_SURNAMES["91"]
EAST_SURNAMES["82"] = EAST_SURNAMES["81"]
CHRISTIAN_SHARE = {"53": 0.85, "71": 0.65, "81": 0.45, "82": 0.25, "91": 0.8, "92": 0.6, "93": 0.7, "94": 0.8,
                   "95": 0.9, "96": 0.55, "12": 0.3, "61": 0.25, "62": 0.15, "72": 0.15}

PLATFORM_WEIGHTS = (("instagram", 0.40), ("facebook", 0.30), ("tiktok", 0.15), ("x", 0.10), ("youtube", 0.05))


class _Pool:
    """Weighted sampling by bisect over cumulative weights (much faster than ``random.choices``)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rnd: Callable[[], float]):
        return self.items[bisect(self.cum, rnd() * self.total)]


def _display(token: str) -> str:
    if len(token) == 2 and token.endswith("."):
        return token.upper()
    return token[:1].upper() + token[1:]


def _load_name_pools() -> tuple[dict[str, _Pool], dict[str, _Pool], dict[str, dict[str, list[str]]]]:
    columns = ("first_female", "first_male", "middle_female", "middle_male", "last_female", "last_male",
               "single_female", "single_male")
    items: dict[str, list[str]] = {c: [] for c in columns}
    weights: dict[str, list[float]] = {c: [] for c in columns}
    markers: dict[str, dict[str, list[str]]] = {}
    with (DATA / "name_token_position_counts.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            token = row["token"]
            bare = token.replace(".", "")
            if bare in _TITLE_TOKENS and token not in ("m.",) or (len(bare) < 2 and token not in ("m.", "a.", "i")):
                continue
            if "." in token and not (len(token) == 2 and token.endswith(".")):
                continue
            damp = _DAMP if token in _REGIONAL_MARKERS else 1.0
            for column in columns:
                count = int(row[column])
                if count:
                    items[column].append(token)
                    weights[column].append(count * damp)
                    if token in _REGIONAL_MARKERS:
                        for province in _REGIONAL_MARKERS[token]:
                            markers.setdefault(province, {}).setdefault(column, []).extend([token] * max(1, count // 50))
    pools = {c: _Pool(items[c], weights[c]) for c in columns}
    lengths: dict[str, tuple[list[int], list[float]]] = {"female": ([], []), "male": ([], [])}
    with (DATA / "name_length_distribution.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            n = int(row["tokens_per_name"])
            if n <= 5:
                lengths[row["gender"]][0].append(n)
                lengths[row["gender"]][1].append(float(row["names"]))
    length_pools = {g: _Pool(v[0], v[1]) for g, v in lengths.items()}
    return pools, length_pools, markers


class RegistryGenerator:
    def __init__(self, seed: int = 0, reference_date: date = REFERENCE_DATE) -> None:
        self.random = random.Random(seed)
        self.reference_date = reference_date
        self.pools, self.lengths, self.markers = _load_name_pools()
        reg = regions()
        self.regions = reg
        regencies = sorted(reg.regencies.values(), key=lambda r: r.code)
        self.regency_pool = _Pool(regencies, [max(r.population, 1) for r in regencies])
        self.regencies_by_province: dict[str, _Pool] = {}
        for code in sorted(reg.provinces):
            inside = [r for r in regencies if r.province_code == code]
            self.regencies_by_province[code] = _Pool(inside, [max(r.population, 1) for r in inside])
        provinces = sorted(reg.provinces.values(), key=lambda p: p.code)
        self.province_pool = _Pool(provinces, [max(p.population, 1) for p in provinces])
        self.central_pool = _Pool(list(CENTRAL_AGENCIES), [a.weight for a in CENTRAL_AGENCIES])
        self.regional_units = _Pool(list(REGIONAL_UNITS), [u[1] for u in REGIONAL_UNITS])
        self.provincial_units = _Pool(list(PROVINCIAL_UNITS), [u[1] for u in PROVINCIAL_UNITS])
        self.platforms = _Pool([p for p, _ in PLATFORM_WEIGHTS], [w for _, w in PLATFORM_WEIGHTS])
        # Ages on the reference date: the ASN pyramid is old (many over 45).
        ages = list(range(20, 59))
        self.age_pool = _Pool(ages, [0.6 if a < 25 else 1.2 if a < 31 else 2.0 if a < 41 else 2.7 if a < 51 else 3.0
                                     for a in ages])
        # Sequence counters for the first 15 NIP digits: one byte per (birth day, appointment slot, sex).
        self._base_day = date(reference_date.year - 80, 1, 1).toordinal()
        self._slots = (reference_date.year - 1960 + 1) * 13
        self._seq = bytearray(81 * 366 * self._slots * 2)
        self._taken: set[str] = set()

    # --- names -----------------------------------------------------------------------------
    def _tokens(self, female: bool, province: str) -> tuple[list[str], bool]:
        """(display tokens, christian?)."""
        rnd = self.random.random
        g = "female" if female else "male"
        if province == "51" and rnd() < 0.7:
            order = (BALI_ORDER_F if female else BALI_ORDER_M)[int(rnd() * (len(BALI_ORDER_F if female else BALI_ORDER_M)))]
            given = self.pools[f"last_{g}"].pick(rnd)
            tokens = (["Ni"] if female else ["I"]) + order.split() + [_display(given)]
            return tokens, False
        christian = rnd() < CHRISTIAN_SHARE.get(province, 0.03)
        n = self.lengths[g].pick(rnd)
        if n == 1:
            tokens = [self.pools[f"single_{g}"].pick(rnd)]
        else:
            tokens = [self.pools[f"first_{g}"].pick(rnd)]
            seen = {tokens[0]}
            for _ in range(n - 2):
                token = self.pools[f"middle_{g}"].pick(rnd)
                if token not in seen:
                    tokens.append(token)
                    seen.add(token)
            last = self.pools[f"last_{g}"].pick(rnd)
            if last not in seen:
                tokens.append(last)
        local = self.markers.get(province)
        if local and rnd() < 0.3:
            column = f"first_{g}" if len(tokens) > 1 else f"single_{g}"
            options = local.get(column) or local.get(f"first_{g}")
            if options:
                tokens[0] = options[int(rnd() * len(options))]
        out = [_display(t) for t in tokens]
        if christian:
            first = CHRISTIAN_FIRST_F if female else CHRISTIAN_FIRST_M
            out[0] = first[int(rnd() * len(first))]
            surnames = EAST_SURNAMES.get(province)
            if surnames and rnd() < 0.7:
                out.append(surnames[int(rnd() * len(surnames))]) if len(out) < 3 else out.__setitem__(-1, surnames[int(rnd() * len(surnames))])
        elif province == "12" and rnd() < 0.55:
            marga = BATAK_MARGA[int(rnd() * len(BATAK_MARGA))]
            out = out[:2] + [marga] if len(out) >= 2 else out + [marga]
        elif province in ("32", "36") and rnd() < 0.35:
            first = SUNDA_FIRST_F if female else SUNDA_FIRST_M
            out[0] = first[int(rnd() * len(first))]
            if len(out) >= 2 and rnd() < 0.5:
                out[-1] = SUNDA_LAST[int(rnd() * len(SUNDA_LAST))]
        return out, christian

    def _titles(self, position: str, unit: str, age: int, female: bool, muslim: bool) -> tuple[list[str], list[str]]:
        rnd = self.random.random
        pre: list[str] = []
        post: list[str] = []
        old = age >= 57
        p = position
        if p.startswith(("Guru", "Kepala Sekolah", "Pengawas Sekolah", "Widyaprada")):
            if old and rnd() < 0.35:
                pre.append("Dra." if female else "Drs.")
            else:
                post.append("S.Pd.I." if ("MAN" in unit or "MTs" in unit or "MIN" in unit) and rnd() < 0.5 else
                            "S.Ag." if "M" in unit[:3] and rnd() < 0.2 else "S.Pd.")
            if rnd() < 0.14 or p.startswith(("Kepala", "Pengawas")) and rnd() < 0.5:
                post.append("M.Pd.")
        elif p.startswith("Dokter"):
            pre.append("dr.")
            if "Muda" in p and rnd() < 0.35:
                post.append(("Sp.PD", "Sp.A", "Sp.OG", "Sp.B", "M.Kes.")[int(rnd() * 5)])
        elif p.startswith("Perawat"):
            if rnd() < 0.4:
                pre.append("Ns.")
                post.append("S.Kep.")
            else:
                post.append("A.Md.Kep.")
        elif p.startswith("Bidan"):
            post.append("A.Md.Keb." if rnd() < 0.7 else "S.Tr.Keb.")
        elif p.startswith("Apoteker"):
            post.extend(["S.Farm.", "Apt."])
        elif p.startswith(("Dosen", "Lektor", "Widyaiswara")):
            if rnd() < 0.3:
                pre.append("Dr.")
            post.append(("M.Pd.", "M.Si.", "M.T.", "M.Kes.", "M.Hum.", "M.Kom.")[int(rnd() * 6)])
        elif p.startswith(("Jaksa", "Hakim", "Panitera", "Perancang", "Analis Hukum", "Analis Perkara")):
            post.append("S.H.")
            if rnd() < 0.4:
                post.append("M.H.")
        elif p.startswith(("Auditor", "Pemeriksa", "Analis Keuangan", "Analis Perbendaharaan", "Bendahara", "Account")):
            post.append("S.E." if rnd() < 0.7 else "S.Ak.")
            if rnd() < 0.3:
                post.append(("M.M.", "M.Ak.", "M.Si.")[int(rnd() * 3)])
        elif p.startswith(("Teknik", "Pengawas Lapangan", "Surveyor")):
            if old and rnd() < 0.4:
                pre.append("Ir.")
            else:
                post.append("S.T.")
            if rnd() < 0.2:
                post.append("M.T.")
        elif p.startswith("Pranata Komputer") or "Database" in p:
            post.append("S.Kom." if rnd() < 0.8 else "A.Md.")
        elif p.startswith("Statistisi"):
            post.append("S.Si." if rnd() < 0.5 else "S.Tr.Stat.")
        elif p.startswith(("Penyuluh Pertanian", "Pengawas Mutu", "Pengawas Benih", "Medik")):
            post.append("S.P." if not p.startswith("Medik") else "drh.")
        elif p.startswith(("Camat", "Sekretaris Camat", "Lurah", "Kepala", "Analis Kebijakan", "Perencana", "Penata Kelola")):
            post.append(("S.STP", "S.IP", "S.Sos.", "S.E.", "S.H.")[int(rnd() * 5)])
            if rnd() < 0.45:
                post.append(("M.Si.", "M.M.", "M.A.P.")[int(rnd() * 3)])
        else:
            r = rnd()
            if r < 0.35:
                post.append(("S.E.", "S.Sos.", "S.H.", "S.Kom.", "S.IP", "S.Pd.", "S.Ag.")[int(rnd() * 7)])
            elif r < 0.55:
                post.append("A.Md.")
            elif r < 0.6:
                post.append("S.M.")
        if muslim and age >= 40 and rnd() < HAJJ_SHARE_OVER_40:
            pre.append("Hj." if female else "H.")
        return pre, post

    # --- identity --------------------------------------------------------------------------
    def _nip(self, born: date, female: bool, age: int, pppk: bool) -> str:
        rnd = self.random.random
        ref = self.reference_date
        for _ in range(50):
            if pppk:
                year = 2019 + int(rnd() * (ref.year - 2019 + 1))
                if year - born.year < 18:
                    year = min(ref.year, born.year + 18 + int(rnd() * 3))
                code = 21 + int(rnd() * 5)
                slot = (year - 1960) * 13 + 12 + (code % 1)  # one slot for PPPK per year
                month = code
            else:
                latest = min(ref.year, born.year + 46)
                earliest = born.year + (19 if rnd() < 0.05 else 22)
                if earliest > latest:
                    earliest = latest
                year = earliest + min(int(rnd() * rnd() * (latest - earliest + 1)), latest - earliest)
                month = (1, 1, 1, 3, 4, 12, 2, 10, 6, 7)[int(rnd() * 10)]
                if (year, month) < (born.year + 18, born.month):
                    year += 1
                if (year, month) > (ref.year, ref.month):
                    year, month = ref.year, 1
                slot = (year - 1960) * 13 + (month - 1)
            index = (((born.toordinal() - self._base_day) * self._slots) + slot) * 2 + (1 if female else 0)
            seq = self._seq[index] + 1
            if seq > 250:
                continue
            self._seq[index] = seq
            sex = "F" if female else "M"
            return make_pppk(born, year, month, sex, seq) if pppk else make_nip(born, year, month, sex, seq)
        raise RuntimeError("could not allocate a NIP sequence")

    def _handles(self, tokens: list[str], born: date, female: bool, age: int) -> str:
        rnd = self.random.random
        share = 0.55 if age < 35 else 0.38 if age < 45 else 0.2
        if rnd() >= share:
            return ""
        count = 1 if rnd() < 0.7 else 2 if rnd() < 0.85 else 3
        words = [t.lower().replace(".", "") for t in tokens if len(t.strip(".")) > 1] or [tokens[0].lower().strip(".")]
        first, last = words[0], words[-1]
        out: list[str] = []
        platforms: list[str] = []
        for _ in range(count):
            platform = self.platforms.pick(rnd)
            if platform in platforms:
                continue
            platforms.append(platform)
            pattern = int(rnd() * 8) if last != first else (1, 3, 4, 5)[int(rnd() * 4)]
            yy = f"{born.year % 100:02d}"
            candidate = (f"{first}.{last}", f"{first}{last if last != first else ''}{yy}", f"{first}_{last}",
                         f"{'bu' if female else 'pak'}_{first}", f"{first}{yy}", f"{first}.{last if last != first else 'official'}{int(rnd() * 99)}",
                         f"{first}{last}", f"{last}.{first}")[pattern]
            if platform == "x":
                candidate = candidate.replace(".", "_")[:15]
            for attempt in range(20):
                value = candidate if attempt == 0 else f"{candidate[:12]}{int(rnd() * 999)}"
                key = normalize_handle(platform, value)
                if key is None:
                    break
                if f"{platform}:{key}" not in self._taken:
                    self._taken.add(f"{platform}:{key}")
                    out.append(f"{platform}:{value}")
                    break
        return ";".join(out)

    # --- rows ------------------------------------------------------------------------------
    def row(self) -> tuple[str, ...]:
        rnd = self.random.random
        ref = self.reference_date
        female = rnd() < FEMALE_SHARE
        age = self.age_pool.pick(rnd)
        born = date(ref.year - age, 1, 1) + timedelta(days=int(rnd() * 365))
        if rnd() < CENTRAL_SHARE:
            agency = self.central_pool.pick(rnd)
            regency = self.regency_pool.pick(rnd)
            province = self.regions.provinces[regency.province_code]
            unit_template = agency.units[int(rnd() * len(agency.units))]
            positions = agency.positions
            agency_code, agency_name = agency.code, agency.name
        elif rnd() < PROVINCIAL_SHARE_OF_REGIONAL:
            province = self.province_pool.pick(rnd)
            regency = self.regencies_by_province[province.code].pick(rnd)
            unit_template, _, positions = self.provincial_units.pick(rnd)
            agency_code, agency_name = f"PEMPROV-{province.code}", f"Pemerintah Provinsi {province.name}"
        else:
            regency = self.regency_pool.pick(rnd)
            province = self.regions.provinces[regency.province_code]
            unit_template, _, positions = self.regional_units.pick(rnd)
            agency_code, agency_name = regency.agency_code, "Pemerintah " + regency.name
        districts = self.regions.districts.get(regency.code) or [regency.short]
        unit = unit_template.format(n=1 + int(rnd() * rnd() * 12), city=regency.short, province=province.name,
                                    district=districts[int(rnd() * len(districts))])
        position = positions[int(rnd() * len(positions))]
        teaching_health = position.startswith(("Guru", "Perawat", "Bidan", "Dokter", "Apoteker", "Sanitarian", "Nutrisionis"))
        pppk = rnd() < (PPPK_SHARE_TEACHING_HEALTH if teaching_health else PPPK_SHARE_OTHER) and age < 57
        tokens, christian = self._tokens(female, province.code)
        muslim = not christian and province.code != "51"
        pre, post = self._titles(position, unit, age, female, muslim)
        name = " ".join(pre + tokens)
        if post:
            name = name + ", " + ", ".join(post)
        nip = self._nip(born, female, age, pppk)
        handles = self._handles(tokens, born, female, age)
        return (nip, name, born.isoformat(), "F" if female else "M", agency_code, agency_name, unit, position,
                province.code, regency.code, handles)

    def rows(self, count: int) -> Iterator[tuple[str, ...]]:
        for _ in range(count):
            yield self.row()


def generate_rows(count: int, seed: int = 0, reference_date: date = REFERENCE_DATE) -> Iterator[tuple[str, ...]]:
    """``count`` registry rows in ``REGISTRY_CSV_HEADER`` order."""
    return RegistryGenerator(seed, reference_date).rows(count)


def write_registry(path: str | Path, count: int, seed: int = 0, progress: Callable[[int], None] | None = None,
                   reference_date: date = REFERENCE_DATE, chunk: int = 20_000) -> int:
    """Stream ``count`` rows to ``path`` as CSV with the contract header; ``progress(n)`` per chunk."""
    generator = RegistryGenerator(seed, reference_date)
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        handle.write(",".join(REGISTRY_CSV_HEADER) + "\n")
        while written < count:
            n = min(chunk, count - written)
            writer.writerows(generator.rows(n))
            handle.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            written += n
            if progress:
                progress(n)
    return written
