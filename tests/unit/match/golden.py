"""Golden cases for the matcher: a planted set of registry people inside a generated background
registry, and a table of content items with the expected outcome.

Expectations: ``match`` (the person must be `match`), ``found`` (`match` or `review`), ``review``
(`review`, never `match`), ``no_match`` (the person, or anyone, must not be `match`), ``none``
(no result at all for that person). Every expectation names the person it is about (or ``*``).
Kinds: positive cases count towards recall; every `match` the engine returns anywhere counts towards
precision (correct only when it is the case's person).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.match.domain.nip import make_nip, make_pppk
from services.match.domain.reference import CENTRAL_BY_CODE, regions


@dataclass(frozen=True)
class Planted:
    key: str
    name: str
    born: date
    sex: str
    appointed: tuple[int, int]  # (year, month); month > 12 means a PPPK code
    agency: str
    unit: str
    position: str
    regency: str
    handles: str = ""
    seq: int = 901

    @property
    def nip(self) -> str:
        year, month = self.appointed
        if month > 12:
            return make_pppk(self.born, year, month, self.sex, self.seq)
        return make_nip(self.born, year, month, self.sex, self.seq)

    def row(self) -> tuple[str, ...]:
        reg = regions()
        province = self.regency.split(".")[0]
        if self.agency.startswith(("PEMKAB", "PEMKOT")):
            agency_name = "Pemerintah " + reg.regencies[self.regency].name
        elif self.agency.startswith("PEMPROV"):
            agency_name = "Pemerintah Provinsi " + reg.provinces[province].name
        else:
            agency_name = CENTRAL_BY_CODE[self.agency].name
        return (self.nip, self.name, self.born.isoformat(), self.sex, self.agency, agency_name, self.unit,
                self.position, province, self.regency, self.handles)


PLANTED: tuple[Planted, ...] = (
    Planted("sri", "Dra. Hj. Sri Wahyuningsih, M.Pd.", date(1965, 3, 12), "F", (1990, 3), "PEMKOT-3374",
            "SMP Negeri 5 Semarang", "Guru Ahli Madya", "33.74", "instagram:bu_sriwahyu"),
    Planted("budi_bantul", "Budi Santoso, S.Pd.", date(1980, 7, 14), "M", (2005, 1), "PEMKAB-3402",
            "SD Negeri 3 Kasihan", "Guru Ahli Muda", "34.02", "instagram:budi.santoso80"),
    Planted("budi_sby", "Budi Santoso", date(1975, 2, 2), "M", (1999, 3), "PEMKOT-3578",
            "Dinas Perhubungan", "Pengatur Lalu Lintas", "35.78"),
    Planted("budi_medan", "Budi Santoso, S.E.", date(1988, 9, 9), "M", (2012, 4), "KEMENKEU",
            "KPP Pratama Medan", "Account Representative", "12.71"),
    Planted("soekarno", "Ir. H. Soekarno Djojohadikoesoemo, M.T.", date(1966, 5, 1), "M", (1992, 1), "KEMENPU",
            "BBWS Jawa Timur", "Teknik Pengairan Ahli Muda", "35.15"),
    Planted("rizki", "Moch. Rizki Pratama, S.Kom.", date(1992, 11, 20), "M", (2019, 2), "PEMKOT-3273",
            "Dinas Komunikasi dan Informatika", "Pranata Komputer Ahli Pertama", "32.73",
            "x:rizkipratama92;tiktok:rizki.pratama"),
    Planted("made", "I Made Suartana, S.T.", date(1983, 6, 15), "M", (2009, 1), "PEMKAB-5103",
            "Dinas Pekerjaan Umum dan Penataan Ruang", "Teknik Jalan dan Jembatan Ahli Pertama", "51.03",
            "instagram:madesuartana"),
    Planted("luh", "Ni Luh Putu Ayu Lestari, A.Md.Keb.", date(1995, 1, 30), "F", (2022, 22), "PEMKAB-5108",
            "Puskesmas Sukasada", "Bidan Terampil", "51.08"),
    Planted("sutrisno", "Sutrisno", date(1968, 8, 17), "M", (1994, 3), "PEMKAB-3310",
            "Kecamatan Wedi", "Camat", "33.10"),
    Planted("rina", "Ns. Rina Marlina, S.Kep.", date(1990, 4, 4), "F", (2014, 12), "PEMKOT-1371",
            "RSUD Padang", "Perawat Ahli Pertama", "13.71", "facebook:rina.marlina.90"),
    Planted("yohanes", "Yohanes Bere, S.Pd.", date(1985, 12, 24), "M", (2010, 1), "PEMKAB-5302",
            "SMP Negeri 2 Timor Tengah Selatan", "Guru Ahli Pertama", "53.02"),
    Planted("andi", "Andi Nurhayati, S.Sos., M.Si.", date(1978, 10, 10), "F", (2003, 1), "PEMKAB-7306",
            "Kecamatan Somba Opu", "Sekretaris Camat", "73.06", "instagram:andi_nurhayati"),
    Planted("achmad", "Drs. Achmad Chairul Anam, M.Si.", date(1964, 3, 3), "M", (1991, 3), "KEMENAG",
            "Kantor Kementerian Agama Jombang", "Penghulu Ahli Muda", "35.17"),
    Planted("siti_sda", "Siti Aminah", date(1986, 5, 5), "F", (2011, 1), "PEMKAB-3515",
            "SD Negeri 1 Waru", "Guru Kelas", "35.15"),
    Planted("siti_banjar", "Siti Aminah, S.Pd.", date(1979, 9, 19), "F", (2006, 1), "PEMKAB-6303",
            "SD Negeri 2 Martapura", "Guru Ahli Muda", "63.03"),
    Planted("mrizki", "Muhammad Rizki", date(1993, 1, 1), "M", (2018, 3), "BPS",
            "BPS Lamongan", "Statistisi Ahli Pertama", "35.24"),
    Planted("dewi", "Dewi Kartika Sari, S.H., M.H.", date(1987, 2, 14), "F", (2013, 4), "KEJAKSAAN",
            "Kejaksaan Negeri Surakarta", "Jaksa Ahli Pertama", "33.72"),
    Planted("fx", "dr. Fransiskus Xaverius Manek", date(1982, 7, 7), "M", (2010, 12), "PEMKAB-5304",
            "RSUD Belu", "Dokter Ahli Muda", "53.04", "facebook:fx.manek"),
    Planted("nurhayati", "Hj. Nurhayati Siregar, S.Pd.", date(1970, 11, 11), "F", (1996, 3), "PEMPROV-12",
            "SMA Negeri 1 Medan", "Guru Ahli Madya", "12.71"),
    Planted("joko", "Joko Widodo Susilo", date(1981, 3, 30), "M", (2008, 1), "PEMKAB-3311",
            "Satuan Polisi Pamong Praja", "Polisi Pamong Praja Terampil", "33.11", "tiktok:jokosusilo81"),
    Planted("eko", "Eko Prasetyo, S.Kom.", date(1991, 8, 8), "M", (2017, 4), "BKN",
            "Kantor Regional BKN Yogyakarta", "Pranata Komputer Ahli Muda", "34.71", "x:ekopras"),
    Planted("wahyu", "Wahyu Hidayat", date(1984, 4, 21), "M", (2009, 3), "PEMKAB-3204",
            "Dinas Pertanian", "Penyuluh Pertanian Ahli Pertama", "32.04"),
    Planted("euis", "Euis Komalasari, S.Pd.", date(1977, 7, 17), "F", (2003, 1), "PEMKAB-3205",
            "SD Negeri 4 Tarogong Kidul", "Guru Ahli Muda", "32.05", "instagram:euis.komala"),
    Planted("rudi", "Rudi Hartono Simanjuntak", date(1976, 6, 6), "M", (2001, 3), "KEMENKUMHAM",
            "Lapas Kelas IIA Pematangsiantar", "Penjaga Tahanan", "12.72"),
    Planted("agus", "Agus Salim", date(1972, 5, 5), "M", (1998, 3), "PEMKAB-1603",
            "Kecamatan Tanjung Agung", "Camat", "16.03"),
    Planted("maria", "Maria Goreti Seran", date(1989, 9, 9), "F", (2014, 3), "PEMKAB-5302",
            "Puskesmas Kuanfatu", "Bidan Ahli Pertama", "53.02", "youtube:mariaseran"),
    Planted("laode", "La Ode Muhammad Ali, S.E.", date(1985, 5, 15), "M", (2010, 1), "PEMKAB-7404",
            "Badan Pengelolaan Keuangan dan Aset Daerah", "Bendahara", "74.04", "instagram:laode_ali"),
    Planted("fitri", "Fitri Handayani", date(1994, 10, 10), "F", (2019, 3), "PEMPROV-33",
            "Badan Pendapatan Daerah", "Analis Pendapatan Daerah", "33.74"),
    Planted("yusuf", "Yusuf Tjahjono", date(1969, 1, 25), "M", (1995, 3), "PEMKOT-3578",
            "Dinas Sosial", "Pekerja Sosial Ahli Pertama", "35.78"),
    Planted("dian", "Dian Puspitasari, S.Pd.", date(1996, 6, 16), "F", (2023, 24), "PEMKAB-3402",
            "SD Negeri 1 Sewon", "Guru Ahli Pertama", "34.02"),
)
# Namesakes of planted people in the same region, planted beside them but with no per-person cases of
# their own: with name + region/agency corroboration they would reach `match` on their own, which an
# exact key of the other person must prevent (one person per author).
NAMESAKES: tuple[Planted, ...] = (
    Planted("rina2", "Rina Marlina, A.Md.", date(1987, 8, 1), "F", (2011, 3), "PEMKOT-1371",
            "Dinas Pendidikan", "Pengadministrasi Umum", "13.71", seq=902),
    Planted("made2", "I Made Suartana", date(1979, 2, 10), "M", (2004, 3), "PEMKAB-5103",
            "Dinas Pendidikan", "Pengadministrasi Umum", "51.03", seq=902),
    Planted("budi_sby2", "Budi Santoso, S.Sos.", date(1983, 12, 3), "M", (2010, 3), "PEMKOT-3578",
            "Dinas Pendidikan", "Pengadministrasi Umum", "35.78", seq=902),
)
P = {p.key: p for p in PLANTED + NAMESAKES}


@dataclass(frozen=True)
class Case:
    id: str
    expect: str  # match | found | review | no_match | none
    who: str  # a PLANTED key, or "*" (anyone)
    source: str = "instagram"
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    text: str = "Ayo dukung paslon 02, coblos nomor 2!"
    common: bool = False  # a common name with no corroboration: never `match`
    at_most_review: tuple[str, ...] = ()  # these people may be `review`, never `match`

    def record(self) -> dict:
        return {"source": self.source, "external_id": self.id, "text": self.text,
                "author": {"handle": self.handle, "display_name": self.display_name, "bio": self.bio}}


def _spaced(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def _dotted(nip: str) -> str:
    return f"{nip[:8]}.{nip[8:14]}.{nip[14]}.{nip[15:]}"


# Per person: (display-name variant as people write it, a corroborating bio, a weak bio (region only)).
PROFILES: dict[str, tuple[str, str, str]] = {
    "sri": ("Bu Sri Wahyuningsih", "Guru SMPN 5 Semarang. Ibu dari 3 anak", "Semarang"),
    "budi_bantul": ("Budi Santoso S.Pd", "Guru SDN 3 Kasihan, Pemkab Bantul", "Bantul, DIY"),
    "budi_sby": ("Budi Santoso", "Dishub Kota Surabaya. Pengatur lalu lintas", "Surabaya"),
    "budi_medan": ("Budi Santoso SE", "AR di KPP Pratama Medan | Kemenkeu", "Medan"),
    "soekarno": ("Ir. Sukarno Joyohadikusumo", "Kementerian PU, BBWS, Sidoarjo", "Sidoarjo Jatim"),
    "rizki": ("M. Rizki Pratama", "Pranata komputer Diskominfo Kota Bandung", "Bandung"),
    "made": ("Made Suartana", "PUPR Kabupaten Badung, Bali", "Badung Bali"),
    "luh": ("Luh Putu Ayu Lestari", "Bidan Puskesmas Sukasada, Buleleng", "Buleleng"),
    "sutrisno": ("Pak Sutrisno", "Camat Wedi, Kabupaten Klaten", "Klaten"),
    "rina": ("Rina Marlina", "Perawat RSUD Padang. Kota Padang", "Padang"),
    "yohanes": ("Yohanes Bere", "Guru SMP Negeri 2 Timor Tengah Selatan", "Soe, NTT"),
    "andi": ("Andi Nurhayati", "Sekcam Somba Opu, Kab. Gowa", "Sulsel"),
    "achmad": ("Achmad Chairul Anam", "Penghulu, Kemenag Kabupaten Jombang", "Jombang"),
    "siti_sda": ("Siti Aminah", "Guru SD Negeri 1 Waru, Kabupaten Sidoarjo", "Sidoarjo"),
    "siti_banjar": ("Siti Aminah S.Pd", "Guru SDN 2 Martapura, Kab. Banjar, Kalsel", "Kalsel"),
    "mrizki": ("Muhammad Rizki", "Statistisi BPS Kabupaten Lamongan", "Lamongan"),
    "dewi": ("Dewi Kartika Sari", "Jaksa di Kejaksaan Negeri Surakarta", "Solo"),
    "fx": ("dr. Fransiskus Manek", "Dokter RSUD Belu, Atambua", "NTT"),
    "nurhayati": ("Nurhayati Siregar", "Guru SMA Negeri 1 Medan, Pemprov Sumut", "Medan"),
    "joko": ("Joko Susilo", "Satpol PP Kabupaten Sukoharjo", "Sukoharjo"),
    "eko": ("Eko Prasetyo", "Pranata Komputer Kanreg BKN Yogyakarta", "Jogja"),
    "wahyu": ("Wahyu Hidayat", "Penyuluh pertanian Kabupaten Bandung", "Bandung"),
    "euis": ("Euis Komalasari", "Guru SDN 4 Tarogong Kidul, Garut", "Garut"),
    "rudi": ("Rudi Hartono Simanjuntak", "Petugas Lapas Kelas IIA Pematangsiantar, Kemenkumham", "Siantar"),
    "agus": ("Agus Salim", "Camat Tanjung Agung, Kab. Muara Enim", "Muara Enim"),
    "maria": ("Maria Seran", "Bidan Puskesmas Kuanfatu, TTS", "NTT"),
    "laode": ("La Ode Muh. Ali", "Bendahara BPKAD Kabupaten Buton", "Buton"),
    "fitri": ("Fitri Handayani", "ASN Pemprov Jateng, Bapenda", "Semarang"),
    "yusuf": ("Joesoef Tjahjono", "Pekerja sosial, Dinas Sosial Kota Surabaya", "Surabaya"),
    "dian": ("Dian Puspitasari", "Guru PPPK SD Negeri 1 Sewon, Bantul", "Bantul"),
}
# Names that are frequent in the registry (several planted people and/or the background share them).
COMMON = {"budi_bantul", "budi_sby", "budi_medan", "siti_sda", "siti_banjar", "mrizki", "agus", "wahyu", "eko",
          "fitri"}
# A province that is *not* the person's, for "same name, other region" negatives.
ELSEWHERE = {"31": "Jakarta Timur", "33": "Kota Tegal", "35": "Kabupaten Malang", "12": "Kota Medan", "51": "Denpasar"}


def _elsewhere(p: Planted) -> str:
    province = p.regency.split(".")[0]
    return next(v for k, v in ELSEWHERE.items() if k != province)


def build_cases() -> list[Case]:
    cases: list[Case] = []
    for p in PLANTED:
        variant, strong, weak = PROFILES[p.key]
        plain = variant
        # 1. NIP written in the bio as on documents.
        cases.append(Case(f"{p.key}-nip-bio", "match", p.key, display_name=plain, bio=f"NIP. {_spaced(p.nip)}"))
        # 2. NIP with dots in the post itself (e.g. a photo of an ID card, or a public report).
        cases.append(Case(f"{p.key}-nip-text", "match", p.key, display_name="Info Netralitas",
                          text=f"ASN ini ikut kampanye! NIP {_dotted(p.nip)}"))
        # 3. Name variant + corroborating bio.
        cases.append(Case(f"{p.key}-corroborated", "match", p.key, display_name=variant, bio=strong,
                          handle=f"{p.key}_{len(p.key)}x"))
        # 4. Name + weak (region only) bio: a candidate for review at least (never `match` for common names).
        cases.append(Case(f"{p.key}-weak", "found" if p.key not in COMMON else "no_match", p.key,
                          display_name=plain, bio=weak))
        # 5. Same name, another region: must not be `match`.
        cases.append(Case(f"{p.key}-elsewhere", "no_match", p.key, display_name=plain,
                          bio=f"ASN {_elsewhere(p)}"))
        # 6. Common name with nothing else.
        if p.key in COMMON:
            cases.append(Case(f"{p.key}-name-only", "no_match", "*", display_name=plain, bio=None, common=True))
        # 7. Handles: exact, as a profile URL, near miss, other platform.
        for pair in filter(None, p.handles.split(";")):
            platform, handle = pair.split(":", 1)
            source = {"x": "x"}.get(platform, platform)
            cases.append(Case(f"{p.key}-handle-{platform}", "match", p.key, source=source, handle="@" + handle.upper()))
            url = {"instagram": "https://www.instagram.com/{}/", "x": "https://x.com/{}",
                   "tiktok": "https://www.tiktok.com/@{}", "facebook": "https://web.facebook.com/{}",
                   "youtube": "https://www.youtube.com/@{}"}[platform].format(handle)
            cases.append(Case(f"{p.key}-handle-url-{platform}", "match", p.key, source=source, handle=url))
            cases.append(Case(f"{p.key}-handle-near-{platform}", "no_match", p.key, source=source,
                              handle=handle + "7", display_name="Akun Relawan"))
            other = "tiktok" if platform != "tiktok" else "instagram"
            cases.append(Case(f"{p.key}-handle-other-{platform}", "no_match", p.key, source=other, handle=handle,
                              display_name="Relawan Kampanye"))
        # 8. Invalid NIPs close to the real one: appointment month 13, sex digit 3, appointed at 10.
        bad_month = p.nip[:12] + "13" + p.nip[14:]
        bad_sex = p.nip[:14] + "3" + p.nip[15:]
        cases.append(Case(f"{p.key}-nip-bad-month", "none", p.key, display_name="Anonim",
                          text=f"NIP {_spaced(bad_month)} ikut kampanye"))
        cases.append(Case(f"{p.key}-nip-bad-sex", "none", p.key, display_name="Anonim",
                          text=f"NIP {bad_sex} ikut kampanye"))
    # Stated facts that contradict the registry.
    cases += [
        Case("sri-wrong-sex", "no_match", "sri", display_name="Pak Sri Wahyuningsih", bio="Bapak dari 2 anak, Semarang"),
        Case("budi-bantul-wrong-year", "no_match", "budi_bantul", display_name="Budi Santoso",
             bio="Guru SDN 3 Kasihan, Bantul. Lahir 1999"),
        Case("made-wrong-year", "no_match", "made", display_name="Made Suartana", bio="Badung. Kelahiran 1960"),
        Case("rina-right-year", "match", "rina", display_name="Rina Marlina", bio="Perawat RSUD Padang, lahir 1990"),
        Case("andi-wrong-sex", "no_match", "andi", display_name="Andi Nurhayati", bio="Ayah dari 3 anak. Sulsel"),
        # Old spellings, abbreviations, missing middle names, mononyms.
        Case("soekarno-old", "match", "soekarno", display_name="Soekarno Djojohadikoesoemo", bio="BBWS, Kementerian PU, Sidoarjo"),
        Case("rizki-muh", "match", "rizki", display_name="Muh Rizki Pratama", bio="Diskominfo Kota Bandung"),
        Case("rizki-mochammad", "match", "rizki", display_name="Mochammad Rizki", bio="Pranata komputer Diskominfo Kota Bandung"),
        Case("luh-short", "match", "luh", display_name="Ayu Lestari", bio="Bidan di Puskesmas Sukasada, Buleleng"),
        Case("yusuf-modern", "match", "yusuf", display_name="Yusuf Cahyono", bio="Dinas Sosial Kota Surabaya"),
        Case("achmad-ahmad", "match", "achmad", display_name="H. Ahmad Khairul Anam", bio="Kemenag Jombang, penghulu"),
        Case("fx-nickname", "found", "fx", display_name="Frans Manek", bio="NTT"),
        Case("sutrisno-mononym-weak", "found", "sutrisno", display_name="Sutrisno", bio="Klaten bersinar"),
        Case("laode-full", "match", "laode", display_name="La Ode Muhammad Ali SE", bio="BPKAD Kab. Buton"),
        Case("fx-initials", "found", "fx", display_name="dr. F. X. Manek", bio="RSUD Belu, Kabupaten Belu"),
        Case("nurhayati-hj", "match", "nurhayati", display_name="Hj Nurhayati Siregar S.Pd", bio="Guru SMAN 1 Medan"),
        Case("euis-typo", "match", "euis", display_name="Euis Komalasary", bio="Guru SD Negeri 4 Tarogong Kidul, Garut"),
        Case("dewi-reversed", "match", "dewi", display_name="Sari Dewi Kartika", bio="Jaksa Kejari Surakarta"),
        Case("dian-pppk-nip", "match", "dian", display_name="Dian P.", bio=f"NI PPPK {_spaced(P['dian'].nip)}"),
        Case("luh-pppk-nip", "match", "luh", display_name="Luh Ayu", text=f"NIP: {P['luh'].nip}"),
        # Hard negatives with no corroboration or someone else entirely.
        Case("stranger-1", "none", "*", display_name="Bambang Sutejo Wiryawan", bio="Pengusaha mebel Jepara"),
        Case("stranger-2", "none", "*", display_name="Relawan 02 Garis Keras", bio="Dukung penuh!"),
        Case("stranger-3", "none", "*", display_name="Kurniawati Ningsih Prameswari", bio="Ibu rumah tangga, Depok"),
        Case("common-sri", "no_match", "*", display_name="Sri Wahyuni", common=True),
        Case("common-siti", "no_match", "*", display_name="Siti Aminah", common=True),
        Case("common-muhammad", "no_match", "*", display_name="Muhammad", common=True),
        Case("common-agus", "no_match", "*", display_name="Agus", bio="Suka mancing", common=True),
        Case("common-nur", "no_match", "*", display_name="Nur Hidayah", common=True),
        Case("common-budi", "no_match", "*", display_name="Budi", common=True),
        Case("siti-other-prov", "no_match", "*", display_name="Siti Aminah", bio="Guru SD di Kabupaten Kulon Progo"),
        Case("siti-banjar-right", "match", "siti_banjar", display_name="Siti Aminah", bio="Guru SDN 2 Martapura, Kab. Banjar"),
        Case("budi-sby-right", "match", "budi_sby", display_name="Budi Santoso", bio="Pegawai Dishub Kota Surabaya"),
        Case("budi-region-only", "no_match", "*", display_name="Budi Santoso", bio="Warga Bantul"),
        Case("handle-case-only", "match", "eko", source="twitter", handle="EkoPras"),
        Case("handle-bio-link", "match", "sri", source="facebook", display_name="Sri W",
             bio="IG: @bu_sriwahyu | Semarang"),
        Case("nip-invalid-future", "none", "*", display_name="Anonim", text="NIP 19900101 203001 1 001 kampanye"),
        Case("nip-too-young", "none", "*", display_name="Anonim", text="NIP 20000101 201001 1 001 kampanye"),
        Case("nip-bad-date", "none", "*", display_name="Anonim", text="NIP 19850231 201001 1 001 kampanye"),
        Case("nip-not-in-registry", "none", "*", display_name="Anonim", text="NIP 19850211 201001 1 777 kampanye"),
        Case("phone-number", "none", "*", display_name="Anonim", text="Hubungi 0812 3456 7890 1234 56"),
        # One person per author: an exact key decides; a corroborated namesake stays `review` at most.
        Case("one-author-fb-case", "match", "rina", source="facebook", handle="Rina.Marlina.90",
             display_name="Rina Marlina", bio="ASN Pemkot Padang, Dinas Pendidikan Kota Padang",
             at_most_review=("rina2",)),
        Case("one-author-ig-at", "match", "made", source="instagram", handle="@madesuartana",
             display_name="Made Suartana", bio="Dinas Pendidikan Kabupaten Badung, Bali", at_most_review=("made2",)),
        Case("one-author-nip-other-name", "match", "sri", display_name="Budi Santoso",
             bio=f"NIP. {_spaced(P['sri'].nip)} | Dinas Pendidikan Kota Surabaya",
             at_most_review=("budi_sby", "budi_sby2")),
        Case("one-author-nip-plain", "match", "sri", display_name="Budi Santoso", bio=f"NIP. {P['sri'].nip}",
             at_most_review=("budi_sby", "budi_sby2", "budi_bantul", "budi_medan")),
        # Name parts alone: a single given name, even a rare one, is nobody in particular.
        Case("single-warga", "none", "*", display_name="Warga", common=True),
        Case("single-sutrisno", "none", "*", display_name="Sutrisno", common=True),
        Case("single-from-handle", "none", "*", source="x", handle="budi_88", common=True),
        Case("single-euis", "none", "*", display_name="Euis", bio="Suka masak", common=True),
        Case("common-full-name", "none", "*", display_name="Muhammad Rizki", bio="Suka futsal", common=True),
    ]
    return cases


CASES = build_cases()
