"""Reference tables: Kemendagri regions (real, MIT data in ``data/``) and the agency catalogue.

Agency codes follow design.md: ministries and agencies by acronym (``KEMENKEU``, ``BPS``), regional
governments by level and Kemendagri code without dots (``PEMPROV-33``, ``PEMKAB-3301``, ``PEMKOT-3374``).
The central list and the unit/position templates are ours (plausible, not an official roster).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    name: str
    population: int


@dataclass(frozen=True, slots=True)
class Regency:
    code: str  # "33.74"
    province_code: str
    kind: str  # KABUPATEN | KOTA
    name: str  # "Kota Semarang"
    short: str  # "Semarang"
    population: int
    old_name: str = ""  # 2022 decree spelling, e.g. "KAB. TOLI TOLI"

    @property
    def agency_code(self) -> str:
        prefix = "PEMKOT" if self.kind == "KOTA" else "PEMKAB"
        return f"{prefix}-{self.code.replace('.', '')}"

    @property
    def agency_name(self) -> str:
        return ("Pemerintah " + self.name).replace("Pemerintah Kota Administrasi", "Pemerintah Kota Administrasi")


@dataclass(frozen=True)
class Regions:
    provinces: dict[str, Province]
    regencies: dict[str, Regency]
    districts: dict[str, list[str]] = field(default_factory=dict)  # regency code -> kecamatan names


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _short(name: str) -> str:
    for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@lru_cache(maxsize=1)
def regions() -> Regions:
    population = {row["kode"]: int(row["total"] or 0) for row in _read("penduduk_provinsi_kabkota.csv")}
    provinces = {row["kode"]: Province(row["kode"], row["nama"], population.get(row["kode"], 0))
                 for row in _read("provinsi.csv")}
    regencies = {
        row["kode"]: Regency(row["kode"], row["kode_provinsi"], row["jenis"], row["nama"], _short(row["nama"]),
                             population.get(row["kode"], 0), row.get("nama_kepmendagri_2022", ""))
        for row in _read("kabupaten_kota.csv")
    }
    districts: dict[str, list[str]] = {}
    for row in _read("kecamatan.csv"):
        districts.setdefault(row["kode_kabkota"], []).append(row["nama"])
    return Regions(provinces, regencies, districts)


# Popular short forms people write in bios ("ASN Pemprov Jateng", "guru di Jabar").
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "11": ("aceh", "nad"), "12": ("sumut", "sumatera utara", "sumatra utara"),
    "13": ("sumbar", "sumatera barat", "sumatra barat"), "14": ("riau",), "15": ("jambi",),
    "16": ("sumsel", "sumatera selatan"), "17": ("bengkulu",), "18": ("lampung",),
    "19": ("babel", "bangka belitung"), "21": ("kepri", "kepulauan riau"),
    "31": ("dki", "jakarta", "dki jakarta"), "32": ("jabar", "jawa barat"), "33": ("jateng", "jawa tengah"),
    "34": ("diy", "jogja", "yogyakarta", "jogjakarta", "daerah istimewa yogyakarta"),
    "35": ("jatim", "jawa timur"), "36": ("banten",), "51": ("bali",), "52": ("ntb", "nusa tenggara barat"),
    "53": ("ntt", "nusa tenggara timur"), "61": ("kalbar", "kalimantan barat"),
    "62": ("kalteng", "kalimantan tengah"), "63": ("kalsel", "kalimantan selatan"),
    "64": ("kaltim", "kalimantan timur"), "65": ("kaltara", "kalimantan utara"),
    "71": ("sulut", "sulawesi utara"), "72": ("sulteng", "sulawesi tengah"),
    "73": ("sulsel", "sulawesi selatan"), "74": ("sultra", "sulawesi tenggara"), "75": ("gorontalo",),
    "76": ("sulbar", "sulawesi barat"), "81": ("maluku",), "82": ("malut", "maluku utara"),
    "91": ("papua",), "92": ("papua barat", "pabar"), "93": ("papua selatan",), "94": ("papua tengah",),
    "95": ("papua pegunungan",), "96": ("papua barat daya",),
}


@dataclass(frozen=True, slots=True)
class CentralAgency:
    code: str
    name: str
    weight: float  # share of central ASN (relative)
    aliases: tuple[str, ...]
    units: tuple[str, ...]  # "{city}" = short regency name of the posting
    positions: tuple[str, ...]


CENTRAL_AGENCIES: tuple[CentralAgency, ...] = (
    CentralAgency("KEMENAG", "Kementerian Agama", 22.0, ("kemenag", "kementerian agama", "kankemenag", "kemenag ri"),
                  ("MAN {n} {city}", "MTsN {n} {city}", "MIN {n} {city}", "Kantor Kementerian Agama {city}",
                   "KUA Kecamatan {district}"),
                  ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya", "Penghulu Ahli Muda",
                   "Penyuluh Agama Islam Ahli Pertama", "Pengadministrasi Perkantoran", "Kepala KUA")),
    CentralAgency("KEMENDIKBUDRISTEK", "Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi", 9.0,
                  ("kemendikbudristek", "kemendikbud", "kementerian pendidikan"),
                  ("Universitas Negeri {city}", "Politeknik Negeri {city}", "LPMP {province}", "BPMP {province}"),
                  ("Dosen Asisten Ahli", "Lektor", "Lektor Kepala", "Pranata Laboratorium Pendidikan",
                   "Pengadministrasi Akademik", "Widyaprada Ahli Muda")),
    CentralAgency("KEMENKEU", "Kementerian Keuangan", 8.0,
                  ("kemenkeu", "kementerian keuangan", "ditjen pajak", "djp", "bea cukai", "djbc", "kppn",
                   "kpp pratama", "djkn"),
                  ("KPP Pratama {city}", "KPPBC {city}", "KPPN {city}", "KPKNL {city}"),
                  ("Pemeriksa Pajak Ahli Pertama", "Account Representative", "Pelaksana", "Penyuluh Pajak",
                   "Pemeriksa Bea dan Cukai Terampil", "Analis Perbendaharaan Negara")),
    CentralAgency("KEMENKUMHAM", "Kementerian Hukum dan HAM", 7.0,
                  ("kemenkumham", "kementerian hukum dan ham", "lapas", "rutan", "imigrasi", "kemenimipas"),
                  ("Lapas Kelas IIA {city}", "Rutan Kelas IIB {city}", "Kantor Imigrasi {city}", "Bapas {city}"),
                  ("Penjaga Tahanan", "Pembina Keamanan Pemasyarakatan", "Analis Keimigrasian Ahli Pertama",
                   "Pemeriksa Keimigrasian", "Pengadministrasi Umum")),
    CentralAgency("KEMENKES", "Kementerian Kesehatan", 5.0, ("kemenkes", "kementerian kesehatan", "poltekkes", "rsup"),
                  ("RSUP {city}", "Poltekkes Kemenkes {city}", "KKP Kelas I {city}", "BBLK {city}"),
                  ("Dokter Ahli Muda", "Perawat Ahli Pertama", "Perawat Terampil", "Bidan Terampil",
                   "Apoteker Ahli Pertama", "Dosen Asisten Ahli", "Pranata Laboratorium Kesehatan")),
    CentralAgency("KEJAKSAAN", "Kejaksaan Republik Indonesia", 3.5, ("kejaksaan", "kejari", "kejati", "kejagung"),
                  ("Kejaksaan Negeri {city}", "Kejaksaan Tinggi {province}"),
                  ("Jaksa Fungsional", "Jaksa Ahli Pertama", "Pengadministrasi Perkara", "Analis Penuntutan")),
    CentralAgency("MA", "Mahkamah Agung", 3.5, ("mahkamah agung", "pengadilan negeri", "pengadilan agama"),
                  ("Pengadilan Negeri {city}", "Pengadilan Agama {city}", "Pengadilan Tinggi {province}"),
                  ("Hakim Pratama", "Hakim Madya", "Panitera Pengganti", "Juru Sita", "Analis Perkara Peradilan")),
    CentralAgency("ATR-BPN", "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional", 3.0,
                  ("atr/bpn", "atr bpn", "bpn", "kantor pertanahan", "kementerian atr"),
                  ("Kantor Pertanahan {city}", "Kantor Wilayah BPN {province}"),
                  ("Surveyor Pemetaan Ahli Pertama", "Penata Pertanahan Ahli Pertama", "Analis Hukum Pertanahan")),
    CentralAgency("BPS", "Badan Pusat Statistik", 2.5, ("bps", "badan pusat statistik"),
                  ("BPS {city}", "BPS Provinsi {province}"),
                  ("Statistisi Ahli Pertama", "Statistisi Ahli Muda", "Statistisi Terampil", "Pranata Komputer Ahli Pertama")),
    CentralAgency("KEMENTAN", "Kementerian Pertanian", 2.0, ("kementan", "kementerian pertanian"),
                  ("BPTP {province}", "Balai Karantina Pertanian {city}"),
                  ("Penyuluh Pertanian Ahli Pertama", "Pengawas Benih Tanaman", "Medik Veteriner Ahli Pertama")),
    CentralAgency("KEMENHUB", "Kementerian Perhubungan", 2.0, ("kemenhub", "kementerian perhubungan"),
                  ("KSOP {city}", "Bandar Udara {city}", "BPTD {province}"),
                  ("Penguji Kendaraan Bermotor", "Teknisi Penerbangan", "Pengawas Keselamatan Pelayaran")),
    CentralAgency("KEMENPU", "Kementerian Pekerjaan Umum", 2.0, ("kementerian pupr", "kemenpupr", "kementerian pu", "kemenpu", "bbws"),
                  ("BBWS {province}", "BPJN {province}", "Balai Prasarana Permukiman {province}"),
                  ("Teknik Jalan dan Jembatan Ahli Pertama", "Teknik Pengairan Ahli Muda", "Pengelola Pengadaan Barang/Jasa")),
    CentralAgency("KLHK", "Kementerian Lingkungan Hidup dan Kehutanan", 1.5, ("klhk", "kementerian lhk", "kementerian kehutanan"),
                  ("BKSDA {province}", "Balai Taman Nasional {province}"),
                  ("Polisi Kehutanan Terampil", "Pengendali Ekosistem Hutan Ahli Pertama", "Penyuluh Kehutanan")),
    CentralAgency("KEMENDAGRI", "Kementerian Dalam Negeri", 1.0, ("kemendagri", "kementerian dalam negeri", "ipdn"),
                  ("IPDN Kampus {province}", "Ditjen Dukcapil", "Ditjen Bina Keuangan Daerah"),
                  ("Analis Kebijakan Ahli Muda", "Widyaiswara Ahli Muda", "Dosen Asisten Ahli", "Administrator Database Kependudukan")),
    CentralAgency("KEMENSOS", "Kementerian Sosial", 1.0, ("kemensos", "kementerian sosial"),
                  ("Sentra {city}", "Balai Besar Pelatihan Kesejahteraan Sosial {province}"),
                  ("Pekerja Sosial Ahli Pertama", "Penyuluh Sosial Ahli Pertama")),
    CentralAgency("BKN", "Badan Kepegawaian Negara", 0.6, ("bkn", "badan kepegawaian negara", "kanreg bkn"),
                  ("Kantor Regional BKN {city}", "Direktorat Pengawasan dan Pengendalian"),
                  ("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "Pranata Komputer Ahli Muda", "Auditor Kepegawaian")),
    CentralAgency("BPKP", "Badan Pengawasan Keuangan dan Pembangunan", 0.8, ("bpkp",),
                  ("Perwakilan BPKP {province}",), ("Auditor Ahli Pertama", "Auditor Ahli Muda", "Auditor Ahli Madya")),
    CentralAgency("BPK", "Badan Pemeriksa Keuangan", 0.8, ("bpk ri", "badan pemeriksa keuangan"),
                  ("BPK Perwakilan {province}",), ("Pemeriksa Ahli Pertama", "Pemeriksa Ahli Muda")),
    CentralAgency("BMKG", "Badan Meteorologi, Klimatologi, dan Geofisika", 0.6, ("bmkg",),
                  ("Stasiun Meteorologi {city}", "Stasiun Geofisika {city}"), ("Pengamat Meteorologi dan Geofisika Terampil", "Prakirawan Cuaca")),
    CentralAgency("BKKBN", "Badan Kependudukan dan Keluarga Berencana Nasional", 0.6, ("bkkbn", "kemendukbangga"),
                  ("Perwakilan BKKBN {province}",), ("Penyuluh KB Ahli Pertama", "Penyuluh KB Terampil")),
    CentralAgency("BAWASLU", "Badan Pengawas Pemilihan Umum", 0.4, ("bawaslu",),
                  ("Sekretariat Bawaslu {city}", "Sekretariat Bawaslu Provinsi {province}"), ("Analis Pengawasan Pemilu", "Pengadministrasi Umum")),
    CentralAgency("KPU", "Komisi Pemilihan Umum", 0.5, ("kpu", "komisi pemilihan umum"),
                  ("Sekretariat KPU {city}", "Sekretariat KPU Provinsi {province}"), ("Analis Data Pemilu", "Pengadministrasi Umum", "Pranata Komputer")),
    CentralAgency("KOMDIGI", "Kementerian Komunikasi dan Digital", 0.4, ("komdigi", "kominfo", "kemkominfo", "kementerian kominfo"),
                  ("Ditjen Pengawasan Ruang Digital", "Balai Monitor Spektrum Frekuensi Radio {city}"),
                  ("Pranata Komputer Ahli Muda", "Pengendali Frekuensi Radio", "Analis Kebijakan Ahli Pertama")),
    CentralAgency("KEMENAKER", "Kementerian Ketenagakerjaan", 0.5, ("kemnaker", "kemenaker", "kementerian ketenagakerjaan"),
                  ("BLK {city}", "Balai Besar Pengembangan Pelatihan Vokasi {province}"), ("Instruktur Ahli Pertama", "Pengantar Kerja", "Mediator Hubungan Industrial")),
)
CENTRAL_BY_CODE = {agency.code: agency for agency in CENTRAL_AGENCIES}

# Regional government units: (name template, weight, positions). "{district}" = a kecamatan of the regency.
REGIONAL_UNITS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("SD Negeri {n} {district}", 30.0, ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya", "Guru Kelas", "Kepala Sekolah")),
    ("SMP Negeri {n} {city}", 12.0, ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya", "Guru Mata Pelajaran", "Kepala Sekolah")),
    ("Dinas Pendidikan", 3.0, ("Pengawas Sekolah Ahli Madya", "Analis Kebijakan Ahli Muda", "Pengadministrasi Perkantoran", "Kepala Bidang Pembinaan SD")),
    ("Puskesmas {district}", 12.0, ("Perawat Terampil", "Perawat Ahli Pertama", "Bidan Terampil", "Bidan Ahli Pertama", "Dokter Ahli Pertama", "Sanitarian Terampil", "Nutrisionis Terampil")),
    ("RSUD {city}", 6.0, ("Dokter Ahli Muda", "Perawat Ahli Pertama", "Perawat Terampil", "Apoteker Ahli Pertama", "Radiografer Terampil")),
    ("Dinas Kesehatan", 2.0, ("Epidemiolog Kesehatan Ahli Pertama", "Administrator Kesehatan Ahli Muda", "Pengadministrasi Perkantoran")),
    ("Kecamatan {district}", 6.0, ("Camat", "Sekretaris Camat", "Kepala Seksi Pemerintahan", "Pengadministrasi Umum", "Penata Kelola Pemerintahan")),
    ("Sekretariat Daerah", 4.0, ("Analis Kebijakan Ahli Muda", "Perancang Peraturan Perundang-undangan", "Kepala Bagian Umum", "Pranata Komputer Ahli Pertama")),
    ("Badan Perencanaan Pembangunan Daerah", 1.5, ("Perencana Ahli Pertama", "Perencana Ahli Muda", "Kepala Bidang Perencanaan")),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", 1.5, ("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "Pranata Komputer Ahli Pertama", "Kepala Bidang Mutasi")),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", 2.5, ("Teknik Jalan dan Jembatan Ahli Pertama", "Pengawas Lapangan", "Kepala Seksi Jalan")),
    ("Dinas Pertanian", 2.5, ("Penyuluh Pertanian Ahli Pertama", "Penyuluh Pertanian Terampil", "Pengawas Mutu Hasil Pertanian")),
    ("Dinas Sosial", 1.5, ("Pekerja Sosial Ahli Pertama", "Penyuluh Sosial", "Pengadministrasi Perkantoran")),
    ("Satuan Polisi Pamong Praja", 2.0, ("Polisi Pamong Praja Terampil", "Polisi Pamong Praja Ahli Pertama", "Kepala Seksi Penegakan Perda")),
    ("Dinas Kependudukan dan Pencatatan Sipil", 1.5, ("Administrator Database Kependudukan", "Pengadministrasi Kependudukan")),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", 2.0, ("Analis Keuangan Pusat dan Daerah Ahli Pertama", "Bendahara", "Pengelola Keuangan")),
    ("Dinas Perhubungan", 1.5, ("Penguji Kendaraan Bermotor", "Pengatur Lalu Lintas", "Kepala Seksi Angkutan")),
    ("Kelurahan {district}", 2.0, ("Lurah", "Sekretaris Lurah", "Pengadministrasi Umum")),
    ("Inspektorat Daerah", 1.0, ("Auditor Ahli Pertama", "Auditor Ahli Muda", "Pengawas Penyelenggaraan Urusan Pemerintahan Daerah")),
    ("Badan Penanggulangan Bencana Daerah", 1.0, ("Analis Bencana", "Pengadministrasi Umum")),
    ("Dinas Komunikasi dan Informatika", 1.0, ("Pranata Komputer Ahli Pertama", "Pranata Hubungan Masyarakat Ahli Pertama", "Pengelola Media Sosial")),
)
# Provinces run upper-secondary schools since 2017.
PROVINCIAL_UNITS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("SMA Negeri {n} {city}", 30.0, ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya", "Kepala Sekolah")),
    ("SMK Negeri {n} {city}", 18.0, ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Produktif", "Kepala Sekolah")),
    ("SLB Negeri {city}", 3.0, ("Guru Ahli Pertama", "Guru Ahli Muda")),
    ("Dinas Pendidikan", 3.0, ("Pengawas Sekolah Ahli Madya", "Analis Kebijakan Ahli Muda", "Kepala Cabang Dinas")),
    ("RSUD Provinsi {province}", 8.0, ("Dokter Ahli Muda", "Perawat Ahli Pertama", "Perawat Terampil", "Bidan Terampil")),
    ("Sekretariat Daerah", 5.0, ("Analis Kebijakan Ahli Muda", "Analis Kebijakan Ahli Madya", "Kepala Biro Umum", "Pranata Komputer Ahli Pertama")),
    ("Badan Pendapatan Daerah", 5.0, ("Analis Pendapatan Daerah", "Pengelola Pajak Kendaraan", "Kepala UPT Samsat")),
    ("Dinas Kesehatan", 3.0, ("Epidemiolog Kesehatan Ahli Muda", "Administrator Kesehatan Ahli Muda")),
    ("Badan Kepegawaian Daerah", 2.0, ("Analis Sumber Daya Manusia Aparatur Ahli Muda", "Pranata Komputer Ahli Pertama")),
    ("Dinas Kehutanan", 2.0, ("Polisi Kehutanan Terampil", "Penyuluh Kehutanan Ahli Pertama")),
    ("Satuan Polisi Pamong Praja", 2.0, ("Polisi Pamong Praja Terampil", "Polisi Pamong Praja Ahli Pertama")),
    ("Dinas Pekerjaan Umum", 2.0, ("Teknik Jalan dan Jembatan Ahli Muda", "Pengelola Pengadaan Barang/Jasa")),
)

# Short forms of regional unit names as people write them ("Dishub", "Diskominfo", "BPKAD").
UNIT_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "Dinas Pendidikan": ("disdik", "dispendik", "diknas"),
    "Dinas Kesehatan": ("dinkes",),
    "Dinas Perhubungan": ("dishub",),
    "Dinas Komunikasi dan Informatika": ("diskominfo", "dinas kominfo", "kominfo"),
    "Dinas Pekerjaan Umum dan Penataan Ruang": ("dinas pupr", "pupr", "dpupr"),
    "Dinas Pekerjaan Umum": ("dinas pu", "dpu"),
    "Badan Pengelolaan Keuangan dan Aset Daerah": ("bpkad",),
    "Badan Pendapatan Daerah": ("bapenda",),
    "Dinas Sosial": ("dinsos",),
    "Dinas Pertanian": ("distan",),
    "Badan Perencanaan Pembangunan Daerah": ("bappeda",),
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia": ("bkpsdm",),
    "Badan Kepegawaian Daerah": ("bkd",),
    "Satuan Polisi Pamong Praja": ("satpol pp", "satpolpp"),
    "Dinas Kependudukan dan Pencatatan Sipil": ("disdukcapil", "dukcapil"),
    "Badan Penanggulangan Bencana Daerah": ("bpbd",),
    "Sekretariat Daerah": ("setda",),
    "Inspektorat Daerah": ("inspektorat",),
    "Dinas Kehutanan": ("dishut",),
}

# Role words people write about themselves; each is looked for in the registry position and unit.
ROLE_WORDS: tuple[str, ...] = (
    "guru", "dosen", "kepala sekolah", "camat", "lurah", "bidan", "perawat", "dokter", "apoteker",
    "penyuluh", "statistisi", "auditor", "jaksa", "hakim", "panitera", "analis", "pranata komputer",
    "pengawas sekolah", "polisi pamong praja", "satpol pp", "penghulu", "widyaiswara", "perencana",
    "pekerja sosial", "sanitarian", "pemeriksa pajak", "account representative", "sekretaris camat",
    "kepala bidang", "kepala seksi", "puskesmas", "rsud", "sd negeri", "smp negeri", "sma negeri",
    "smk negeri", "dinas pendidikan", "dinas kesehatan", "sekretariat daerah", "kecamatan", "kelurahan",
    "madrasah", "kua", "lapas", "imigrasi", "kpp pratama", "pengadilan", "kejaksaan", "bappeda",
    "bkpsdm", "dinas sosial", "dinas pertanian", "dinas perhubungan", "dukcapil", "bpbd", "inspektorat",
)
ROLE_SYNONYMS: dict[str, str] = {
    "sdn": "sd negeri", "smpn": "smp negeri", "sman": "sma negeri", "smkn": "smk negeri",
    "kepsek": "kepala sekolah", "disdik": "dinas pendidikan", "dinkes": "dinas kesehatan",
    "setda": "sekretariat daerah", "satpol pp": "polisi pamong praja", "pamong praja": "polisi pamong praja",
    "nakes": "perawat", "ners": "perawat", "pengajar": "guru", "pendidik": "guru", "man": "madrasah",
    "mtsn": "madrasah", "min": "madrasah", "badan perencanaan": "bappeda", "kasi": "kepala seksi",
    "kabid": "kepala bidang", "sekcam": "sekretaris camat", "rumah sakit": "rsud", "dispendik": "dinas pendidikan",
}
