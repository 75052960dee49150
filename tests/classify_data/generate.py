"""Templated items for the classifier set (``items_templated.txt``), written by us, seeded, reproducible.

Why templates: the hand-written items (items_pos*/neg*) are few (445) and were written by the rules'
author. These templates add volume and the families the hand-written set lacks (issue 11): evidence
only in the media, party and campaign-team roles, official acts, regional-language numbers and
slogans, advertorials, and the false-alarm families (namesakes, jokes naming every side, gesture
reminders, the inked finger after voting, toys and food with campaign words, polling-station
information, neutrality socialisation, news quoting candidates). Each template carries its own label:
the label is written with the template by a person, never computed by the classifier.
Honest limits (also in DATA_CARD.md): slot filling repeats sentence shapes, so a model trained on the
train split sees the same shapes in dev and test; figures on the hand-written items are reported apart.

Run: ``.venv/bin/python tests/classify_data/generate.py && .venv/bin/python tests/classify_data/build_sets.py``
"""
from __future__ import annotations

import pathlib
import random

HERE = pathlib.Path(__file__).parent
SEED = 20240214


# contestant -> ways people refer to it (no ballot numbers here; numbers come from NUM below)
PAIRS = {
    "capres-01": ["Anies", "AMIN", "Anies-Muhaimin", "Abah Anies", "Anies Baswedan", "Cak Imin", "pasangan AMIN"],
    "capres-02": ["Prabowo", "Prabowo-Gibran", "Pak Prabowo", "Mas Gibran", "Prabowo Gibran", "Gibran"],
    "capres-03": ["Ganjar-Mahfud", "Pak Ganjar", "Ganjar Pranowo", "Prof Mahfud", "Ganjar Mahfud", "Mahfud MD"],
}
NUMBER_OF = {"capres-01": 1, "capres-02": 2, "capres-03": 3}
PARTIES = {"partai-04": "Golkar", "partai-02": "Gerindra", "partai-03": "PDIP", "partai-01": "PKB", "partai-05": "NasDem",
           "partai-08": "PKS", "partai-14": "Demokrat", "partai-15": "PSI", "partai-12": "PAN", "partai-17": "PPP",
           "partai-16": "Perindo", "partai-10": "Hanura"}
JAKARTA = {"cagub-jakarta-01": ["Ridwan Kamil-Suswono", "RIDO", "Kang Emil"],
           "cagub-jakarta-02": ["Dharma-Kun", "Dharma Pongrekun"],
           "cagub-jakarta-03": ["Pramono-Rano", "Pram-Doel", "Bang Doel"]}
JAKARTA_NO = {"cagub-jakarta-01": 1, "cagub-jakarta-02": 2, "cagub-jakarta-03": 3}
# ballot numbers written the way people write them, by language
NUM = {
    1: ["01", "nomor 1", "nomer siji", "nomor hiji", "nomor satu", "no 1", "nomer setunggal", "nomor besik"],
    2: ["02", "nomor 2", "nomer loro", "nomor dua", "nomer kalih", "no 2", "nomor duo", "nomer dhuwa"],
    3: ["03", "nomor 3", "nomer telu", "nomor tilu", "nomor tiga", "no 3", "nomor tigo", "nomer tello"],
}
PLACES = ["Klaten", "Garut", "Bukittinggi", "Sleman", "Tasikmalaya", "Bojonegoro", "Makassar", "Medan", "Denpasar",
          "Pamekasan", "Cirebon", "Banyumas", "Padang", "Kediri", "Bekasi", "Kupang"]
OFFICES = ["kecamatan", "kelurahan", "dinas pendidikan", "puskesmas", "kantor desa", "dinas kesehatan", "UPT sekolah",
           "kantor camat", "dinas PUPR", "bappeda"]
NAMES = ["Pak Slamet", "Bu Tini", "Mas Joko", "Teh Euis", "Uda Rizal", "Bu Ketut", "Pak Hendra", "Mbak Sari", "Kang Asep"]
DAYS = ["tanggal 14", "14 Februari", "tgl 14 nanti", "hari H", "Rabu besok"]
STAFF = ["bapak ibu guru", "rekan-rekan staf", "seluruh pegawai", "para perangkat desa", "teman-teman nakes",
         "seluruh ASN di lingkungan dinas", "para kepala sekolah", "warga RT 05"]


def pick(rng: random.Random, seq):
    return seq[rng.randrange(len(seq))]


def pair_ref(rng, cid):
    return pick(rng, PAIRS[cid])


# ------------------------------------------------------------------------------------------ templates
# A template is a function rng -> (group, stance, form, kind, source, text, extra). Groups: P (partisan),
# N (easy negative), H:<family> (hard negative). stance: "cid+;cid-" or "-".

def T(fn):
    TEMPLATES.append(fn)
    return fn


TEMPLATES: list = []


def _pc(rng):
    cid = pick(rng, list(PAIRS))
    return cid, pair_ref(rng, cid), pick(rng, NUM[NUMBER_OF[cid]])


# ---- social-media campaigning, several languages
@T
def jv_support(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"Pokoke {pick(rng, DAYS)} nyoblos {num}, {ref} sing paling pas. Ojo lali yo lur",
        f"Aku wis mantep milih {ref}, {num} pokoke menang!",
        f"Dulur kabeh, ayo bareng-bareng coblos {num} {ref}, ojo golput",
        f"Sing penting {ref} menang, {num} wae wis",
    ])
    return "P", f"{cid}+", "social_media_campaign", "post", pick(rng, ["facebook", "x", "tiktok", "instagram"]), text, ""


@T
def su_support(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"Urang mah tos yakin milih {ref}, {num} pisan!",
        f"Hayu sadayana {pick(rng, DAYS)} urang coblos {num}, {ref} juara",
        f"Ulah hilap nya, coblos {ref} {num}",
        f"Pokona mah {ref} wae, {num} meunang!",
    ])
    return "P", f"{cid}+", "social_media_campaign", "post", pick(rng, ["facebook", "x", "instagram"]), text, ""


@T
def other_regional_support(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"Awak pilih {ref}, {num} nan paliang pas untuak nagari",  # Minang
        f"Ayo dunsanak, pilih {num} {ref}!",  # Minang
        f"Gue mah kaga ragu, coblos {ref} {num}",  # Betawi
        f"Pokoknye {ref} menang, {num} harga mati",  # Betawi
        f"Ayo pele {num} {ref}, ma' le menang",  # Madurese
        f"Semeton, ayo dukung {ref} {num}",  # Balinese/Sasak address
    ])
    return "P", f"{cid}+", "social_media_campaign", "post", pick(rng, ["facebook", "x", "instagram", "whatsapp_report"]), text, ""


@T
def id_support(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"Bismillah {pick(rng, DAYS)} saya coblos {num}, {ref} untuk Indonesia",
        f"Sudah bulat, pilihan keluarga kami {ref} 💪",
        f"{ref} paling layak jadi presiden, no debat",
        f"gas pol {num} {ref}!! satu putaran",
        f"Yakin {ref} bawa perubahan, dukung terus sampai menang",
    ])
    return "P", f"{cid}+", "social_media_campaign", "post", pick(rng, ["x", "tiktok", "instagram"]), text, ""


@T
def oppose_post(rng):
    cid, ref, _ = _pc(rng)
    text = pick(rng, [
        f"Jangan pilih {ref}, ingat rekam jejaknya",
        f"Ogah milih {ref}, cuma jual janji",
        f"Ojo milih {ref}, mung omong kosong",
        f"Ulah milih {ref}, loba bohongna",
        f"Asal bukan {ref}, siapa aja boleh",
    ])
    return "P", f"{cid}-", "social_media_campaign", "post", pick(rng, ["x", "facebook"]), text, ""


@T
def contrast_post(rng):
    a, b = rng.sample(list(PAIRS), 2)
    text = pick(rng, [
        f"{pair_ref(rng, b)} itu ngomong doang, mending {pair_ref(rng, a)}",
        f"Lebih baik pilih {pair_ref(rng, a)} daripada {pair_ref(rng, b)}",
    ])
    return "P", f"{a}+;{b}-", "social_media_campaign", "post", "x", text, ""


@T
def coded_allusion(rng):
    cid, text = pick(rng, [
        ("capres-02", "Pokoknya yang joget gemoy itu aja, oke gas oke gas!"),
        ("capres-01", "Wakanda no more, saatnya perubahan bersama Abah"),
        ("capres-03", "Sat set tas tes, yang rambut putih paling cepat kerjanya, coblos yang tiga jari"),
        ("capres-02", "Lanjutkan! Bersama Indonesia maju, tanggal 14 pilih yang nomor dua"),
        ("capres-01", "Yang slepet-slepet itu aja, slepetnomics mantap, pilih yang satu jari"),
        ("capres-03", "KTP sakti untuk rakyat, gerak cepat menuju Indonesia unggul!"),
    ])
    place = pick(rng, PLACES)
    return "P", f"{cid}+", "social_media_campaign", "post", pick(rng, ["x", "tiktok"]), f"{text} Salam dari {place}", ""


@T
def party_support(rng):
    pid = pick(rng, list(PARTIES))
    p = PARTIES[pid]
    text = pick(rng, [f"Pileg nanti coblos {p}, partai yang paling peduli wong cilik",
                      f"{p} menang! Sudah saatnya {p} pimpin parlemen",
                      f"Ayo dukung caleg {p} di dapil {rng.randint(1, 8)}, pokoknya {p}!"])
    return "P", f"{pid}+", "social_media_campaign", "post", pick(rng, ["facebook", "instagram"]), text, ""


@T
def jakarta_support(rng):
    cid = pick(rng, list(JAKARTA))
    ref = pick(rng, JAKARTA[cid])
    n = JAKARTA_NO[cid]
    text = pick(rng, [f"Pilgub Jakarta 27 November coblos nomor {n}, {ref} untuk Jakarta",
                      f"Warga Jakarta, ayo menangkan {ref}!",
                      f"Pokoknya Jakarta harus dipimpin {ref}, cagub nomor {n}"])
    return "P", f"{cid}+", "social_media_campaign", "post", pick(rng, ["x", "instagram"]), text, ""


@T
def advertorial(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"ADVERTORIAL. Bersama {ref}, harga pangan stabil dan lapangan kerja terbuka. Coblos {num} pada 14 Februari!",
        f"[Konten Berbayar] Program unggulan {ref} terbukti: ayo dukung {num} demi Indonesia",
        f"Advertorial: Warga {pick(rng, PLACES)} siap menangkan {ref}, pilih {num}!",
    ])
    return "P", f"{cid}+", "social_media_campaign", "post", "news", text, ""


# ---- media-only evidence (text innocent; caption/OCR/labels carry the side)
INNOCENT = ["Reuni SMA angkatan 2005, seru banget", "Jalan santai keluarga Minggu pagi", "Kumpul bareng tim kantor",
            "Alhamdulillah acara arisan lancar", "Pengajian rutin bulan ini", "Kenangan hari ini", "Senam pagi bersama warga",
            "Halal bihalal keluarga besar"]


@T
def media_shirt(rng):
    cid, ref, num = _pc(rng)
    cap = pick(rng, [f"semua pakai kaos {ref}", f"kompak kaos {num} {ref}", f"topi dan kaos bergambar {ref}"])
    labels = pick(rng, ["people,t-shirt", "group photo,smile", "crowd"])
    return "P", f"{cid}+", "partisan_photo", "post", pick(rng, ["facebook", "instagram"]), pick(rng, INNOCENT), \
        f"cap={cap};;labels={labels}"


@T
def media_ocr(rng):
    cid, ref, num = _pc(rng)
    ocr = pick(rng, [f"COBLOS {num.upper()} {ref.upper()}", f"{ref.upper()} PRESIDEN 2024", f"MENANGKAN {ref.upper()} {num.upper()}"])
    return "P", f"{cid}+", "partisan_photo", "post", pick(rng, ["facebook", "instagram"]), pick(rng, INNOCENT), \
        f"ocr={ocr};;labels=banner,people"


@T
def media_gesture(rng):
    cid = pick(rng, list(PAIRS))
    label = {"capres-01": "index finger up", "capres-02": "v sign", "capres-03": "three fingers"}[cid]
    cap = pick(rng, [f"pose bareng di depan baliho {pair_ref(rng, cid)}", f"salam dari relawan {pair_ref(rng, cid)}",
                     f"foto bersama {pair_ref(rng, cid)} di posko"])
    return "P", f"{cid}+", "partisan_photo", "post", "instagram", pick(rng, INNOCENT), f"cap={cap};;labels={label},people"


@T
def media_ballot(rng):
    cid, ref, num = _pc(rng)
    ocr = f"SPESIMEN SURAT SUARA PILPRES 2024 ... coblos {ref} {num}"
    text = pick(rng, ["Begini cara nyoblos yang benar ya", "Simulasi di rumah dulu", "Biar ga salah nanti"])
    return "P", f"{cid}+", "partisan_photo", "post", pick(rng, ["facebook", "whatsapp_report"]), text, \
        f"ocr={ocr};;labels=ballot paper,hand"


# ---- roles and membership
@T
def party_role(rng):
    pid = pick(rng, list(PARTIES))
    p = PARTIES[pid]
    text = pick(rng, [
        f"Alhamdulillah dilantik jadi sekretaris DPC {p} {pick(rng, PLACES)}, mohon doa restu",
        f"Resmi jadi wakil ketua PAC {p} kecamatan, siap besarkan partai",
        f"Bismillah maju caleg DPRD dari {p} dapil {rng.randint(1, 7)}, mohon dukungannya",
        f"KTA {p} sudah jadi, sekarang resmi kader",
        f"Terima kasih atas amanah sebagai bendahara DPD {p}",
        f"Hari ini ikut pelantikan pengurus ranting {p}, saya dapat amanah sebagai ketua",
    ])
    return "P", f"{pid}+", "party_membership", "post", pick(rng, ["facebook", "instagram"]), text, ""


@T
def team_role(rng):
    cid, ref, _ = _pc(rng)
    text = pick(rng, [
        f"Dipercaya jadi jubir tim kampanye daerah {ref} Jawa Tengah, siap kerja keras",
        f"Malam ini melatih saksi TPS {ref} se-kecamatan {pick(rng, PLACES)}",
        f"Resmi jadi koordinator relawan {ref} tingkat kabupaten",
        f"Rapat tim pemenangan {ref} di rumah, target 70% di desa kami",
        f"Ditunjuk jadi ketua tim sukses {ref} wilayah {pick(rng, PLACES)}",
    ])
    return "P", f"{cid}+", "campaign_team", "post", pick(rng, ["facebook", "whatsapp_report", "instagram"]), text, ""


# ---- official acts
@T
def official_venue(rng):
    cid, ref, num = _pc(rng)
    office = pick(rng, OFFICES)
    text = pick(rng, [
        f"Aula {office} hanya boleh dipakai untuk acara {ref}, paslon lain tidak diberi izin",
        f"Sesuai keputusan kepala {office}, gedung serbaguna dipinjamkan untuk kampanye {ref} saja",
        f"Surat edaran: seluruh pegawai {office} wajib hadir di acara silaturahmi {ref} hari Sabtu",
        f"Memo kepala {office}: kehadiran staf di deklarasi {ref} wajib, akan diabsen",
        f"Diputuskan balai desa hanya untuk kegiatan paslon {num}, kelompok lain tidak boleh",
    ])
    return "P", f"{cid}+", "official_decision", "post", pick(rng, ["whatsapp_report", "facebook"]), text, ""


@T
def official_instruction(rng):
    cid, ref, num = _pc(rng)
    staff = pick(rng, STAFF)
    text = pick(rng, [
        f"Arahan pimpinan untuk {staff}: bantu promosikan {ref} di akun masing-masing",
        f"Kepada {staff}, mohon share konten {ref} ke grup keluarga, ini arahan",
        f"Instruksi kepada {staff} untuk mengajak warga pilih {num} {ref}",
        f"{staff.capitalize()}, ayo kita menangkan {ref} di TPS masing-masing",
    ])
    return "P", f"{cid}+", "mobilization", "post", pick(rng, ["whatsapp_report", "facebook"]), text, ""


@T
def attendance(rng):
    cid, ref, _ = _pc(rng)
    text = pick(rng, [f"Tadi ikut kampanye akbar {ref} di {pick(rng, PLACES)}, luar biasa ramainya",
                      f"Hadir di deklarasi dukungan {ref}, semangat menang!",
                      f"Nonton konser kampanye {ref} sama keluarga, seru"])
    return "P", f"{cid}+", "campaign_attendance", "post", pick(rng, ["instagram", "tiktok", "facebook"]), text, ""


@T
def props(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [f"Baliho {ref} sudah terpasang di depan rumah",
                      f"Bagi-bagi kaos {ref} {num} ke tetangga",
                      f"Pasang spanduk {ref} di gang masuk kampung"])
    return "P", f"{cid}+", "campaign_props", "post", pick(rng, ["facebook", "instagram"]), text, ""


@T
def support_letter(rng):
    cid = pick(rng, ["cagub-jakarta-02"])
    text = pick(rng, ["Sudah kumpulkan fotokopi KTP warga untuk dukungan Dharma Pongrekun",
                      "Yang mau kasih dukungan ke Dharma-Kun, lampirkan KTP ke saya ya, calon independen kita",
                      "Form dukungan Dharma Pongrekun sudah saya isi, ayo yang lain juga"])
    return "P", f"{cid}+", "support_letter", "post", pick(rng, ["facebook", "whatsapp_report"]), text, ""


ACCOUNTS = {"capres-01": ["aniesbaswedan", "timnasamin", "cakiminnow"], "capres-02": ["prabowo", "gibran_rakabuming", "tkn_prabowogibran"],
            "capres-03": ["ganjar_pranowo", "mohmahfudmd", "tpnganjarmahfud"]}


@T
def engagement(rng):
    cid = pick(rng, list(PAIRS))
    kind = pick(rng, ["like", "share", "follow", "comment"])
    text = {"like": "", "share": pick(rng, ["", "mantap"]), "follow": "", "comment": pick(rng, ["semangat pak!", "sehat selalu pak 🙏", "mantap"])}[kind]
    ttext = pick(rng, ["Terima kasih warga yang sudah hadir hari ini", "Kampanye di Jawa Timur", "Bersama kita bisa"])
    return "P", f"{cid}+", "engagement", kind, pick(rng, ["instagram", "x"]), text, f"target=@{pick(rng, ACCOUNTS[cid])};;ttext={ttext}"


# ------------------------------------------------------------------------------------------ hard negatives
@T
def namesake(rng):
    name = pick(rng, ["Anies", "Prabowo", "Gibran", "Ganjar", "Mahfud", "Imin"])
    text = pick(rng, [
        f"Selamat ulang tahun {name}, teman sekelasku dulu! Sukses di perantauan",
        f"Paket dari kurir namanya Mas {name} datang jam 10, ramah orangnya",
        f"Anak Pak RT namanya {name}, juara lomba azan tingkat kecamatan",
        f"Warung bakso Pak {name} di ujung gang enak banget, kuahnya mantap",
        f"Pelatih futsal kami, Coach {name}, sabar banget ngajarin anak-anak",
    ])
    return "H:namesake", "-", "none", "post", pick(rng, ["facebook", "instagram"]), text, ""


@T
def joke_all_sides(rng):
    text = pick(rng, [
        "01 pinter ngomong, 02 jago joget, 03 rambut putih. Aku mah pilih rebahan aja",
        "Yang 01 slepet, yang 02 gemoy, yang 03 sat set. Kalau aku pilih makan siang dulu",
        "Debat semalam: Anies senyum, Prabowo joget, Ganjar ketawa. Aku nonton sambil ngemil",
        "Grup keluarga rame: om dukung 01, tante 02, sepupu 03. Aku mah admin grupnya aja wkwk",
        "Salam satu jari, dua jari, tiga jari... aku salam lima jari aja, salim sama ibu",
        "Capres 01, 02, 03 semua janji manis. Aku pilih tidur siang dulu",
        "Tebak-tebakan: apa bedanya 01, 02 dan 03? Sama-sama bikin grup WA ribut wkwk",
        "Tim bubur diaduk vs tidak diaduk lebih seru daripada debat 01 02 03",
        "Bapak dukung siapa? Kata bapak: yang penting harga beras turun, mau 01, 02 atau 03",
    ])
    text = text + pick(rng, ["", " 😂", " wkwk", " 🤣🤣", " (jangan baper)"])
    return "H:joke", "-", "none", "post", pick(rng, ["x", "tiktok"]), text, ""


@T
def gesture_reminder(rng):
    text = pick(rng, [
        "Pengingat: ASN dilarang berpose satu jari, dua jari atau tiga jari saat foto selama masa pemilu",
        "Hati-hati bapak ibu, saat foto bersama hindari pose jari yang mengarah ke nomor urut paslon",
        "BKN imbau ASN tidak berfoto dengan pose ✌️ ☝️ atau tiga jari, bisa dianggap tidak netral",
        f"Sosialisasi di {pick(rng, OFFICES)}: pose jempol, dua jari, tiga jari dilarang untuk ASN selama pemilu",
    ])
    return "H:reminder", "-", "none", "post", pick(rng, ["facebook", "whatsapp_report", "instagram"]), text, ""


@T
def ink_finger(rng):
    text = pick(rng, ["Sudah nyoblos! Jari ungu ☝️ #Pemilu2024", "Alhamdulillah sudah menunaikan hak pilih, tinta masih nempel",
                      "Selesai coblos di TPS 12, jangan lupa gunakan hak pilihmu", "Jari ungu tanda sudah memilih, rahasia dong pilihannya",
                      "Sudah nyoblos, tinta ungu susah hilang ☝️", "Tugas warga negara selesai. Tintanya awet banget",
                      "Udah nyoblos belum? Aku sudah, jari kelingking ungu 💜", "Bangga pertama kali nyoblos, pemilih pemula nih ✌️"])
    text = text + pick(rng, ["", f" Salam dari {pick(rng, PLACES)}", " 🙏"])
    return "H:ink", "-", "none", "post", pick(rng, ["instagram", "facebook"]), text, \
        pick(rng, ["labels=ink stained finger,index finger up", "cap=jari bertinta ungu;;labels=finger,ink", ""])


@T
def toy_food(rng):
    text = pick(rng, [
        "Boneka gemoy buat si kecil, lucu banget harganya 35 ribu",
        "Es teh oke gas ukuran jumbo cuma 5 ribu, seger pol",
        "Nasi goreng paling pas buat makan malam, pedesnya nampol",
        "Kopi sat set, diseduh cepat rasa mantap. Promo 2 cup 20 ribu",
        "Kucingku gemoy banget abis makan, perutnya bulet",
        "Menu baru: mie slepet level 3, berani coba?",
        "Kaos polos gemoy size jumbo ready stok, DM ya",
        "Bakso mercon paling pas dimakan pas hujan",
        "Mainan robot satu putaran langsung jalan sendiri, anak senang",
        "Martabak manis sat set, antre cuma 5 menit",
        "Sambal oke gas pedasnya nendang, botol 250 ml",
    ])
    text = text + pick(rng, ["", f" Lokasi {pick(rng, PLACES)}", " 😋", " cek IG kami"])
    return "H:gemoy", "-", "none", "post", pick(rng, ["instagram", "tiktok", "facebook"]), text, ""


@T
def polling_info(rng):
    n = rng.randint(1, 30)
    text = pick(rng, [
        f"Info warga: TPS {n:02d} RT 03 pindah ke balai warga, buka jam 7 pagi",
        f"Cek DPT online ya, nama saya terdaftar di TPS {n:02d} kelurahan {pick(rng, PLACES)}",
        f"Petugas KPPS TPS {n} dilantik hari ini, semoga lancar bertugas",
        f"Undangan memilih (C6) sudah dibagikan, yang belum dapat hubungi KPPS TPS {n:02d}",
        f"Hasil hitung di TPS {n:02d} sudah ditempel di papan pengumuman, silakan dicek",
    ])
    return "H:number", "-", "none", "post", pick(rng, ["facebook", "whatsapp_report"]), text, ""


@T
def socialisation_news(rng):
    place = pick(rng, PLACES)
    text = pick(rng, [
        f"Bawaslu {place} menggelar sosialisasi netralitas ASN. ASN diingatkan agar tidak menyukai atau membagikan unggahan pasangan calon 01, 02 maupun 03.",
        f"Pemkab {place} gelar ikrar netralitas ASN jelang Pemilu 2024, pegawai dilarang ikut kampanye paslon mana pun.",
        f"BKN: ASN yang like atau comment unggahan capres bisa kena sanksi. Sosialisasi digelar di {place}.",
    ])
    return "H:reminder", "-", "none", "post", "news", text, ""


@T
def news_quote(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"\"Pilih {num}, demi Indonesia!\" seru {ref} di hadapan pendukung di {pick(rng, PLACES)}, Selasa.",
        f"{ref} mengajak warga {pick(rng, PLACES)} mencoblos {num} pada 14 Februari, ujarnya dalam kampanye terbuka.",
        f"Dalam orasinya, {ref} menyebut akan menang satu putaran, kata juru bicara tim.",
        f"Juru bicara TKN menyatakan {ref} optimistis menang di {pick(rng, PLACES)}.",
    ])
    return "H:news", "-", "none", "post", "news", text, ""


@T
def report_violation(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [
        f"Bawaslu periksa kepala {pick(rng, OFFICES)} yang diduga mengarahkan staf memilih {ref}",
        f"Dilaporkan ke Bawaslu: camat di {pick(rng, PLACES)} diduga pasang baliho {ref} di kantor",
        f"KASN rekomendasikan sanksi untuk ASN yang ikut kampanye {ref}, kasus dugaan pelanggaran netralitas",
    ])
    return "H:report", "-", "none", "post", pick(rng, ["news", "x"]), text, ""


@T
def factcheck(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [f"[HOAKS] Video {ref} ajak ASN coblos {num} adalah editan. Faktanya video lama dipotong",
                      f"Cek fakta: klaim {ref} didukung seluruh guru honorer tidak benar"])
    return "H:factcheck", "-", "none", "post", pick(rng, ["news", "x"]), text, ""


@T
def neutral_mention(rng):
    cid, ref, num = _pc(rng)
    text = pick(rng, [f"Program {ref} soal guru honorer gimana sih? Ada yang tahu rinciannya?",
                      f"Nonton debat tadi, {ref} bahas pangan. Masih mikir-mikir dulu",
                      f"Ada yang punya ringkasan visi misi {ref}? Mau bandingin sama yang lain"])
    return "H:mention", "-", "none", "post", pick(rng, ["x", "facebook"]), text, ""


@T
def peace_photo(rng):
    text = pick(rng, ["Wisuda adik ✌️", "Liburan ke pantai bareng keluarga", "Foto kelas sebelum lulus", "Ulang tahun ke-5 si kecil",
                      "Reuni akbar alumni ✌️", "Akhirnya sampai puncak ☝️", "Juara 1 lomba 17an ☝️", "Nikahan sepupu di " + pick(rng, PLACES),
                      "Kelulusan TK si kecil 👌", "Jalan-jalan ke " + pick(rng, PLACES)])
    return "H:peace", "-", "none", "post", "instagram", text, pick(rng, ["labels=v sign,smile", "labels=peace sign,beach", "cap=pose dua jari;;labels=v sign"])


@T
def official_service(rng):
    text = pick(rng, [f"Pembayaran PBB {pick(rng, PLACES)} bisa lewat aplikasi, jatuh tempo 31 Agustus",
                      "Penyaluran bansos tahap 2 dimulai besok di kantor kelurahan, bawa KTP dan KK",
                      f"Pelayanan KTP elektronik di {pick(rng, OFFICES)} buka Sabtu untuk pemilih pemula",
                      "Pajak kendaraan (PKB) diskon 10% bulan ini, manfaatkan ya"])
    return "H:official", "-", "none", "post", pick(rng, ["facebook", "instagram"]), text, ""


@T
def easy(rng):
    text = pick(rng, ["Hujan deras dari sore, jalanan banjir lagi", "Resep sambal terasi ala ibu, dijamin nagih",
                      "Macet parah di tol, sabar ya semuanya", "Selamat pagi, semoga hari ini lancar", "Lagi nyari sepatu lari yang nyaman, ada saran?"])
    return "N", "-", "none", "post", pick(rng, ["x", "facebook", "instagram"]), f"{text} ({pick(rng, PLACES)})", ""


NEGATIVE_TEMPLATES = {"namesake", "joke_all_sides", "gesture_reminder", "ink_finger", "toy_food", "polling_info",
                      "socialisation_news", "news_quote", "report_violation", "factcheck", "neutral_mention", "peace_photo",
                      "official_service", "easy"}


def main() -> None:
    rng = random.Random(SEED)
    lines: list[str] = []
    seen: set[str] = set()
    for fn in TEMPLATES:
        draws = 56 if fn.__name__ in NEGATIVE_TEMPLATES else 30
        for _ in range(draws):  # duplicates are dropped, so short templates yield fewer items
            row = list(fn(rng))
            if row[5] and rng.random() < 0.5:  # neutral decoration that changes no label
                row[5] = pick(rng, ["", "Info: ", "Sekadar berbagi. ", "Assalamualaikum. "]) + row[5] + pick(
                    rng, ["", " 🙏", f" ({pick(rng, PLACES)})", " mohon maaf kalau keliru", " salam sehat", " 👍"])
            line = "|".join(row)
            assert line.count("|") == 6, line
            if line in seen:
                continue
            seen.add(line)
            lines.append(line)
    header = ["# split: train-dev-test", "# generated by tests/classify_data/generate.py (templates written by us; see DATA_CARD.md)"]
    (HERE / "items_templated.txt").write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} templated items from {len(TEMPLATES)} templates")


if __name__ == "__main__":
    main()
