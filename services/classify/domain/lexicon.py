"""Generic cue words (not contestant-specific): support and oppose cues, negators, frames, form cues.

Phrases are written in normalised form (after ``normalise_word``: slang mapped, numbers as digits).
Weights are prior strengths in [0, 1], tuned on the dev split only.
"""
from __future__ import annotations

# Support cues near a contestant reference (window in tokens, same sentence).
SUPPORT: dict[str, float] = {
    "pilih": 0.8, "coblos": 0.85, "dukung": 0.8, "menangkan": 0.85, "kawal": 0.6, "bersama": 0.45,
    "lanjutkan": 0.55, "pokoknya": 0.75, "fix": 0.6, "gas": 0.65, "yakin": 0.55, "mantap": 0.55, "ayo": 0.5,
    "pilihan": 0.7, "pilihanku": 0.9, "pilihan saya": 0.9, "pilihan keluarga": 0.85, "presidenku": 0.9, "capresku": 0.9,
    "menang": 0.7, "the best": 0.8, "terbaik": 0.7, "paling pas": 0.7, "paling cocok": 0.75, "paling layak": 0.75,
    "paling matang": 0.7, "cocok": 0.45, "layak": 0.55, "harga mati": 0.9, "all in": 0.8, "all the way": 0.8,
    "jaya": 0.6, "hebat": 0.55, "semangat": 0.5, "sehat terus": 0.5, "istiqomah": 0.6, "istiqomah bersama": 0.8,
    "bangga": 0.5, "semoga menang": 0.85, "tetap": 0.5, "saja": 0.5, "saja lah": 0.6, "saja dulu": 0.6, "lah": 0.4,
    "saya": 0.55, "kami": 0.45, "insya allah": 0.45, "bismillah": 0.4, "satu satunya": 0.5,
    "1nya": 0.5, "untuk indonesia": 0.5, "wajib": 0.55, "rapatkan barisan": 0.7, "kompak": 0.45, "full dukung": 0.9,
    "doakan": 0.4, "mohon doa": 0.4, "yang pasti pasti": 0.4, "lagi": 0.45, "presiden": 0.5, "wapres": 0.4,
    "jangan lupa": 0.55, "tidak ada obat": 0.8, "tidak pakai mikir": 0.6, "gemes": 0.45, "sopo maneh": 0.7,
    "dukungan": 0.6, "juara": 0.5, "idola": 0.55, "amanah": 0.3, "bela": 0.4, "siap": 0.45, "100%": 0.6, "pas": 0.35, "menyala": 0.5,
}
# Pronouns and particles that back a contestant only right next to a reference ("saya 02", "03 aja", "tetap
# Prabowo"): anywhere else in a post they say nothing, so they never reach the post's only contestant unattached.
PARTICLES = {"saya", "kami", "saja", "lah", "lagi", "tetap", "presiden", "wapres", "saja lah", "saja dulu"}
# Cues that are about voting in themselves. Without election context a gesture emoji (✌️ is also "peace")
# becomes a contestant's sign only next to one of these: "pilih ✌️" is a vote, "makasih bestie ✌️ mantap" is not.
ELECTION_VERBS = {"pilih", "coblos", "dukung", "menangkan", "pilihan", "pilihanku", "pilihan saya", "pilihan keluarga",
                  "presidenku", "capresku", "full dukung", "dukungan", "tolak", "asal bukan", "dipilih"}
# Words that are support cues only when a negator does not precede them; negated they become oppose.
NEGATABLE = {"pilih", "coblos", "dukung", "menangkan", "layak", "cocok", "mau", "percaya", "respect", "dipilih"}
NEGATORS = {"tidak", "jangan", "bukan", "ogah", "anti", "stop", "jangan sampai", "jangan mau", "usah",
            # doubt reads like negation: "kurang yakin sama X", "makin ragu (untuk) pilih X", "pesimis memilih X"
            "kurang", "ragu", "ragu ragu", "pesimis", "belum yakin"}
NEGATION_EXCEPTIONS = {"jangan lupa", "tidak ada obat", "tidak pakai mikir", "jangan golput", "tidak usah takut",
                       "tidak usah debat", "jangan ada yang beda", "tidak diragukan", "tidak ragu",
                       # "sopo maneh nek ora X", "siapa lagi kalau bukan X": who else but X
                       "maneh kalau tidak", "lagi kalau tidak", "lagi kalau bukan", "lain kalau bukan", "lain kalau tidak",
                       # "kurang lebih", "tanpa ragu", "bukan hanya pintar, tapi juga ...": no negation of what follows
                       "kurang lebih", "tanpa ragu", "bukan hanya", "tidak hanya", "bukan cuma", "tidak cuma", "tidak kurang"}

OPPOSE: dict[str, float] = {
    "tolak": 0.85, "asal bukan": 0.9, "gagal": 0.6, "bohong": 0.7, "dibohongi": 0.6, "pembohong": 0.8, "malu": 0.5,
    "curang": 0.6, "boneka": 0.6, "nyulik": 0.75, "penculik": 0.8, "pelanggar ham": 0.8, "korupsi": 0.5,
    "cuma janji": 0.7, "cuma bisa": 0.6, "jual janji": 0.7, "jualan": 0.45, "omong kosong": 0.7, "syukurin": 0.7,
    "lengser": 0.7, "ngawur": 0.6, "nyinyir": 0.5, "pencitraan": 0.6, "contekan": 0.6, "mahkamah keluarga": 0.85,
    "anak haram": 0.8, "pamannya": 0.5, "sama saja": 0.5, "tidak becus": 0.7, "realisasi nol": 0.7,
    "lupa ingatan": 0.5, "tidak respect": 0.7, "bawa bawa bapaknya": 0.6, "bawa2 bapaknya": 0.6, "jangan pernah percaya": 0.9,
    "jangan sampai": 0.7, "mundur": 0.4, "dipimpin sama": 0.5, "demokrasi mundur": 0.8, "programnya apa": 0.5,
    "cuma": 0.35, "gimana sih": 0.4, "banjir terus": 0.5, "bocor": 0.45, "remehin": 0.0,
}
# Derision of a contestant: "cuma jual gemoy", "modalnya cuma joget", "bisanya cuma pencitraan". Oppose cues
# like the above, but everyday words too ("toko sebelah cuma jual boneka gemoy"), so they never make an
# ambiguous word ("gemoy", "amin") a contestant reference on their own.
DERISION: dict[str, float] = {
    "cuma jual": 0.7, "jual gemoy": 0.75, "jualan gemoy": 0.75, "jual joget": 0.7, "jual citra": 0.6,
    "cuma modal": 0.7, "modal joget": 0.7, "modalnya cuma": 0.7, "cuma joget": 0.7, "bisanya cuma": 0.7,
    "taunya cuma": 0.65, "cuma gimik": 0.7, "cuma gimmick": 0.7,
    "boneka": 0.6,  # "boneka gemoy" is a toy; a puppet of someone only with a reference of its own
}
OPPOSE.update(DERISION)

# The author's own evaluation of a named contestant, as real posts write it: praise and insults with no
# campaign word at all ("jawabannya cerdas banget, pak X", "X plonga plongo"). Near a reference only, like every cue.
PRAISE: dict[str, float] = {
    "keren": 0.55, "cerdas": 0.6, "pintar": 0.5, "pinter": 0.5, "tegas": 0.5, "berwibawa": 0.6, "santun": 0.45,
    "visioner": 0.6, "solutif": 0.6, "berkelas": 0.55, "salut": 0.55, "luar biasa": 0.55, "jago": 0.5, "bijak": 0.5,
    "good": 0.45, "bagus": 0.4, "menguasai": 0.45, "cocok jadi presiden": 0.8, "pantas jadi presiden": 0.8,
    "layak jadi presiden": 0.8, "pemimpin yang": 0.45, "calon pemimpin": 0.45, "sosok pemimpin": 0.55, "negarawan": 0.6,
    "top": 0.45, "mantul": 0.55, "kereen": 0.55, "suka": 0.4, "respek": 0.5, "panutan": 0.6, "terpercaya": 0.5,
}
INSULTS: dict[str, float] = {
    "bodoh": 0.7, "goblok": 0.75, "tolol": 0.75, "bego": 0.7, "dungu": 0.75, "plonga plongo": 0.8, "planga plongo": 0.8,
    "tidak nyambung": 0.6, "ngeles": 0.6, "gagap": 0.55, "emosian": 0.6, "baper": 0.5, "cengeng": 0.6, "norak": 0.55,
    "sombong": 0.6, "tidak ada adab": 0.7, "tidak punya adab": 0.7, "tidak beradab": 0.7, "menjijikan": 0.7,
    "menjijikkan": 0.7, "lebay": 0.5, "blunder": 0.5, "halu": 0.6, "omdo": 0.65, "baca teks": 0.5, "tidak paham": 0.5,
    "ngibul": 0.7, "munafik": 0.7, "licik": 0.7, "tidak pantas": 0.7, "kurang ajar": 0.6, "penjilat": 0.6,
    "pecundang": 0.7, "nyungsep": 0.6, "gagal paham": 0.6, "playing victim": 0.6, "omon omon": 0.55, "mangkrak": 0.5,
    "rumit": 0.4, "ngaco": 0.6, "asal bunyi": 0.6, "asbun": 0.6, "lucu": 0.35, "kasihan": 0.45, "memalukan": 0.7,
    "dinasti": 0.5, "gemoy doang": 0.6, "joget doang": 0.65, "sesat": 0.6, "culun": 0.55, "ingusan": 0.65,
    # disgust and weariness: "liat mukanya aja muak", "makin jijik sama X"
    "muak": 0.7, "jijik": 0.7, "eneg": 0.6, "enek": 0.6, "mual": 0.5, "bosan": 0.45, "capek liat": 0.6,
    # talk without deeds: "kebanyakan ngomong", "cuma ngomong panjang lebar", "pinter ngomong doang"
    "kebanyakan ngomong": 0.65, "banyak omong": 0.6, "banyak ngomong": 0.6, "banyak bacot": 0.7, "bacot": 0.55,
    "cuma ngomong": 0.6, "ngomong doang": 0.65, "omong doang": 0.65, "cakap doang": 0.65, "bisanya ngomong": 0.65,
    "janji doang": 0.65, "teori doang": 0.6, "retorika doang": 0.6, "pencitraan doang": 0.7,
    # cheating by any means: "menang dengan segala cara", "kecurangan pun dihalalkan"
    "segala cara": 0.6, "semua cara": 0.6, "menghalalkan segala cara": 0.75, "dihalalkan": 0.5, "kecurangan": 0.5,
}
# Better than all the others: "lebih fresh dibanding cawapres lainnya", "paling beda dari yang lain" backs the one
# it is said of (no contestant follows the comparator, so it is no contrast between two of them).
OTHERS_COMPARISON: dict[str, float] = {
    f"{cmp} {who}{yang}{lain}": 0.6
    for cmp in ("dibanding", "dibandingkan", "daripada", "dari", "ketimbang")
    for who in ("yang", "paslon", "capres", "cawapres", "calon", "kandidat", "pasangan")
    for yang in (("",) if who == "yang" else ("", " yang"))
    for lain in (" lain", " lainnya")}
PRAISE.update(OTHERS_COMPARISON)
SUPPORT.update({k: max(v, SUPPORT.get(k, 0.0)) for k, v in PRAISE.items()})
# Praise taken back: pretended ("sok pintar", "sok tegas") or restricted to somewhere it does not count ("cocok jadi
# presiden di medsos doang", "pinter ngomong doang"): the praise word then attacks whom it names.
MOCKING_BEFORE = {"sok"}
RESTRICTING_AFTER = {"doang"}
RESTRICT_REACH = 4  # tokens after the praise word, same sentence
OPPOSE.update({k: max(v, OPPOSE.get(k, 0.0)) for k, v in INSULTS.items()})

# Contrast: a choice between contestants of one race. "mending X" / "lebih baik X" backs X against the
# other contestants of that race named before it in the sentence ("Yg 02 itu ..., mending 03");
# "X lebih baik dari Y" backs X against Y; a plain comparator ("daripada Y", "ketimbang Y") sets Y aside
# for the one named before it only when the sentence makes a choice (a support/oppose cue or a contrast
# above: "pilih 03 daripada 02"), since "suara Prabowo lebih banyak daripada Anies" is a comparison.
# Every marker also closes a clause: cues on one side of it do not score a contestant on the other side.
# Values: (weight for the backed contestant, weight against the one set aside).
CONTRAST_PREFER: dict[str, tuple[float, float]] = {  # backs the contestant named right after it
    "mending": (0.6, 0.6), "lebih baik": (0.6, 0.6), "lebih bagus": (0.6, 0.6), "lebih pilih": (0.7, 0.6),
    "masih lebih baik": (0.55, 0.55),
}
# Choosing verbs among the markers: "dia/Jokowi lebih memilih X ketimbang Y" is the choice of whoever is named
# right before the verb (a contestant, a third person), not the author's.
CONTRAST_CHOOSING = {"lebih pilih"}
CONTRAST_OVER: dict[str, tuple[float, float]] = {  # backs the one named before it against the one after it
    "lebih baik dari": (0.55, 0.6), "lebih baik daripada": (0.55, 0.65), "lebih bagus dari": (0.55, 0.6),
    "lebih bagus daripada": (0.55, 0.65), "mending dari": (0.5, 0.6), "mending daripada": (0.5, 0.65),
}
COMPARATORS: dict[str, tuple[float, float]] = {  # as CONTRAST_OVER, only in a sentence that makes a choice
    "daripada": (0.5, 0.65), "ketimbang": (0.5, 0.65), "dibanding": (0.45, 0.6), "dibandingkan": (0.45, 0.6),
    "dibanding sama": (0.45, 0.6),
}

# Frames: content *about* partisanship rather than partisanship. (strong terms, weak terms)
FRAMES: dict[str, tuple[set[str], set[str]]] = {
    # (not "bkn": as slang it is "bukan", so the agency is named in full)
    "report": ({"bawaslu", "kasn", "badan kepegawaian", "netralitas", "tidak netral", "dugaan pelanggaran", "pelanggaran netralitas",
                "dilaporkan ke bawaslu", "sigaplapor", "ditindak", "dicopot", "sanksi"},
               {"dilaporkan", "laporkan", "laporin", "lapor", "diperiksa", "terbukti", "oknum", "viral", "miris",
                "pelanggaran", "diberhentikan", "diduga", "dugaan", "kasus", "jempolmu harimaumu"}),
    "reminder": ({"wajib netral", "jaga netralitas", "netral", "dilarang", "ikrar", "imbau", "mengingatkan", "hindari",
                  "sosialisasi netralitas", "apapun pilihanmu", "siapa pun", "siapapun", "jaga persaudaraan",
                  "tidak memihak", "masa tenang", "pemilu damai", "politik uang", "hak pilih", "pemiludamai", "edukasi",
                  "hati hati", "sebaiknya hapus", "cek dpt", "tidak membahas"},
                 {"golput", "hati nurani", "tips", "sosialisasi", "jangan sampai musuhan", "rahasia"}),
    "factcheck": ({"hoaks", "hoax", "cek fakta", "disinformasi", "turnbackhoax", "mafindo", "rekayasa", "editan",
                   "faktanya", "fakta atau hoaks", "keliru", "tidak benar"},
                  {"klarifikasi", "fakta", "salah", "bukan sekarang", "video lama", "dipotong"}),
    "reported_speech": ({"kata", "ujar", "menurut", "mengatakan", "menyebut", "dalam orasinya", "menyerukan", "seru",
                         "juru bicara", "jubir", "klaim", "tegas", "katanya", "cerita", "bilang", "terdengar berkata"}, set()),
    # asking a contestant something is not judging them ("pak X, mau tanya ...")
    "question": ({"mau tanya", "mau nanya", "numpang tanya", "izin bertanya", "boleh tanya", "ingin bertanya",
                  "mau bertanya", "pertanyaan saya", "pertanyaannya"}, {"bertanya", "pertanyaan", "nanya", "tanya"}),
    "news": ({"quick count", "hasil survei", "rekapitulasi", "margin error", "elektabilitas", "menurut data",
              "visi misi", "rangkum", "rangkuman", "perbandingan", "jadwal", "debat capres", "debat cawapres", "live"},
             {"survei", "berkampanye", "gelar", "digelar", "mendaftar", "tetapkan", "rekap", "ribuan warga", "pendukung memadati"}),
}
# Words of a frame that, in these phrases, are election talk and no frame ("jangan salah pilih" is not a fact-check).
FRAME_EXCEPTIONS = {"salah pilih", "salah coblos", "salah milih",
                    # sign-offs: "mohon maaf kalau keliru" is politeness, not a fact-check
                    "kalau keliru", "kalau salah", "bila keliru", "bila salah", "jika keliru", "jika salah",
                    "tidak salah", "supaya tidak salah"}
# After voting: the inked finger. Gestures (emoji, image labels) in such content show that the author
# voted, not for whom; names, numbers and slogans still count.
VOTED = {"jari ungu", "tinta ungu", "tinta", "tintanya", "bertinta", "sudah coblos", "selesai coblos", "pertama kali coblos",
         "sudah pilih", "sudah menunaikan hak pilih", "habis coblos", "abis coblos", "ink stained finger", "jari kelingking",
         "pemilih pemula"}
# Paid content: an advertorial on a news site is campaign content, not news (the news-source discount is lifted).
ADVERTORIAL = {"advertorial", "konten berbayar", "pariwara", "iklan berbayar", "sponsored", "konten bersponsor", "adv"}
# "Amin" is also a prayer: closing a wish ("semoga ... amin") or followed by an invocation ("amin ya rabb").
PRAYER_WORDS = {"amin", "aamiin", "amiin"}
PRAYER_BEFORE = {"semoga", "moga", "mudah", "insya", "doa", "doakan", "berdoa", "allah", "tuhan", "aamiin", "amiin", "amin",
                 "berkah", "diberi", "dilindungi", "sehat", "rahmat", "ridho", "ridha", "barokah", "rabb"}
PRAYER_AFTER = {"ya", "yarabb", "yra", "yaa", "allahumma", "aamiin", "amiin", "amin", "rabb", "yarab", "ya allah", "allah"}
# Months: "14 Februari" is a date, not party number 14.
MONTHS = {"januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
          "desember", "jan", "feb", "mar", "apr", "jun", "jul", "agu", "agt", "sep", "okt", "nov", "des", "nopember", "pebruari"}
# Family members and others: "om dukung 01" reports someone else's choice.
THIRD_PERSON_FAMILY = {"om", "tante", "sepupu", "paman", "bibi", "mertua", "pakde", "bude", "kakek", "nenek", "tetanggaku",
                       "temanku", "teman saya", "bos saya"}
FRAME_FACTORS = {"question": 0.6, "report": 0.3, "reminder": 0.3, "factcheck": 0.25, "reported_speech": 0.55, "news": 0.55, "headline": 0.4}
# Frames that make the words someone else's (news, reported speech, a pasted headline), unlike the frames
# about partisanship itself (report, reminder, fact-check): a campaign hashtag the poster adds is still theirs.
OTHERS_WORDS_FRAMES = {"news", "reported_speech", "headline"}
# Frames that discount the target model's probability too (see frames.FrameReading).
MODEL_DISCOUNT_FRAMES = {"question", "report", "reminder"}
# A news lede: somebody else's words reported ("X menegaskan ...", "kata Y"), shared with its link.
REPORTING_VERBS = {"menegaskan", "mengatakan", "mengungkapkan", "menyebut", "menyebutkan", "menyatakan", "dikutip",
                   "ujarnya", "katanya", "tuturnya", "jelasnya", "menjelaskan", "mengklaim", "menilai", "mengimbau"}
# Someone else with a contestant's name: words right before the name, or a role in an apposition after it.
NAMESAKE_BEFORE = {"namanya", "bernama", "coach", "pelatih", "warung", "toko", "kedai", "bengkel", "satpam", "sopir",
                   "supir", "ustadz", "ustad", "bakso", "soto", "mie", "cucu", "cucuku", "keponakan", "keponakanku"}
NAMESAKE_ROLES = {"tukang", "satpam", "guru", "pelatih", "sopir", "supir", "penjual", "pedagang", "tetangga", "teman",
                  "kakek", "nenek", "pemilik", "penjaga", "karyawan", "murid", "siswa", "santri", "rt", "rw"}
# The poster's own voice: a text with these is not a bare pasted headline.
PERSONAL_PRONOUNS = {"saya", "aku", "gue", "gua", "gw", "kita", "kami", "kamu", "lu", "lo", "elu", "anda", "ku", "sy"}
THIRD_PERSON = {"dia", "beliau", "mereka", "ia", "tetangga", "tetangga saya"} | THIRD_PERSON_FAMILY
# "orang yang pilih X", "kader yang mendukung X": a relative clause names somebody else's vote (an election verb
# right after "yang"), unless the author is that somebody ("kita yang dukung X", "saya yang pilih X").
RELATIVE = {"yang"}
FIRST_PERSON = {"saya", "kami", "kita"}

# "arahnya ke 02", "condong ke 01": a direction towards a number is a ballot number despite "ke" (ordinal "ke-2").
NUMBER_DIRECTION = {"arahnya", "arah", "arahkan", "diarahkan", "condong", "merapat", "dukungan", "suaranya", "suara"}
# Number cues: a number is a ballot number only next to these words (and with election context).
NUMBER_PREFIX = {"nomor", "no", "urut", "paslon", "pasangan", "capres", "coblos", "pilih", "calon", "kandidat",
                 "pokoknya", "tetap", "salam", "saya", "aku", "ke", "dukung", "menangkan", "nomor urut", "full"}
NUMBER_SUFFIX = {"jari", "menang", "saja", "lah", "harga", "all", "paling", "presiden", "pilihan", "pilihanku", "yang",
                 "aja", "ya", "mantap", "dari", "sampai"}
NOT_BALLOT_PREFIX = {"tps", "kpps", "jam", "pukul", "rt", "rw", "kamar", "menit", "tgl", "tanggal", "lantai", "kelas", "blok", "gang",
                     "part", "level", "episode", "eps", "paket", "lift", "kelompok", "dapil", "juara", "lomba", "antrian",
                     "anak", "porsi", "potong", "gelas", "beli", "gratis", "tahun", "ke", "hari", "x", "kali", "bab",
                     "pasal", "ayat", "halaman", "gol", "skor"}

# SKB forms: cue phrases over normalised text (regular expressions, matched on word boundaries).
FORM_CUES: dict[str, list[str]] = {
    "party_membership": [r"(ketua|wakil ketua|sekretaris|wakil sekretaris|bendahara|wakil bendahara|pengurus|wakil) ([\w'-]+ ){0,1}(dpc|dpd|dpw|pac|dpac|dpp|ranting)\b",
                         r"dilantik (jadi|sebagai|menjadi) ([\w'-]+ ){0,3}(dpc|dpd|dpw|pac|ranting|partai)",
                         r"(maju|nyaleg|mencalonkan diri|mendaftar) ([\w'-]+ ){0,1}(jadi |sebagai )?(caleg|bacaleg)",
                         r"caleg (dprd|dpr|dpd)( [\w'-]+){0,3} (dari|partai)", r"\bbacaleg\b", r"pelantikan pengurus",
                         r"\bkta\b", r"kartu (tanda )?anggota", r"\bkader\b", r"pengurus (dpc|dpd|dpw|ranting|pac|dpp)",
                         r"resmi (bergabung|gabung) (dengan|ke)? ?partai", r"resmi bergabung dengan", r"anggota partai",
                         r"jajaran pengurus", r"pengurus ranting", r"siap jadi anggota(?! (tim|tkn|tpn|tkd|tpd|timnas|relawan))", r"saya anggota(?! (tim|tkn|tpn|tkd|tpd|timnas|relawan))",
                         r"jadi anggota(?! (tim|tkn|tpn|tkd|tpd|timnas|relawan))"],
    "campaign_team": [r"\b(jubir|juru bicara) (tim|tkd|tkn|tpn|tpd|timnas|relawan)", r"\b(tkd|tpd|tkc)\b",
                      r"(melatih|pelatihan|bimtek|rekrut|merekrut|koordinasi) ([\w'-]+ ){0,1}saksi", r"koordinator saksi",
                      r"ketua tim (relawan|sukses|pemenangan|kampanye)", r"tim kampanye daerah",r"(jadi|sebagai|dipercaya|gabung|bergabung|ditunjuk|resmi|anggota|rapat) ([\w'-]+ ){0,2}(tim pemenangan|tim sukses|timses|tkn|tpn|timnas|relawan|jurkam|juru kampanye|korwil|koordinator)",
                      r"koordinator relawan", r"korwil relawan", r"\bjurkam\b", r"saksi tps dari tim", r"admin akun relawan",
                      r"tim pemenangan", r"tim sukses", r"\btimses\b", r"pemenangan ganjar", r"pegang \d+ desa",
                      r"ditunjuk jadi ketua", r"bagian konten", r"sk sudah turun"],
    "support_letter": [r"surat (pernyataan )?dukungan", r"fotokopi ktp", r"kumpulkan (\d+ )?ktp", r"form dukungan",
                       r"lampirkan ktp", r"calon (perseorangan|independen)", r"syarat dukungan"],
    "official_decision": [r"hanya (boleh )?(dipakai|digunakan|dipinjamkan|diberikan|untuk) ([\w'-]+ ){0,3}(acara|kegiatan|kampanye|paslon|deklarasi)",
                          r"(aula|gedung|balai|fasilitas|kendaraan dinas|mobil dinas|ruang rapat)( [\w'-]+){0,3} (dipinjamkan|dipakai untuk|digunakan untuk|diberikan untuk)",
                          r"tidak diberi izin", r"kehadiran ([\w'-]+ ){0,2}(wajib|diabsen)", r"\bdiabsen\b", r"keputusan kepala",r"surat edaran", r"\bsk\b", r"\bmemo\b", r"instruksi (bupati|walikota|gubernur|kepala)",
                          r"kebijakan desa", r"diputuskan", r"kami putuskan", r"memutuskan", r"ini perintah",
                          r"akan dievaluasi", r"dipinjamkan", r"penunjukan", r"hanya untuk warga yang", r"ttd kepala",
                          r"penyaluran bantuan", r"wajib hadir", r"sesuai instruksi"],
    # acts of mobilising in themselves; an addressee alone is not one (see MOBILIZATION_ADDRESSEES)
    "mobilization": [r"instruksi kepada", r"\bpromosikan\b", r"bantu (sebar|share|promosi|viralkan)", r"ini arahan",
                     r"share konten( [\w'-]+){0,3} ke grup",r"diarahkan", r"arahkan", r"arahan", r"mengajak seluruh", r"ajak (suami|keluarga|tetangga|warga)",
                     r"menghimbau", r"satu suara", r"wajib hadir", r"\babsen\b", r"balas budi",
                     r"sosialisasikan", r"(keluarga|warga|tetangga|saudara)( [\w'-]+){0,2} diajak", r"mengajak warga"],
    "campaign_attendance": [r"(hadir|ikut|datang|nonton|sowan)( [\w'-]+){0,3} (kampanye|deklarasi|rapat umum|konsolidasi|konser|desak anies|acara sosialisasi)",
                            r"kampanye akbar", r"deklarasi dukungan", r"rapat umum", r"konsolidasi relawan",
                            r"desak anies di", r"hajatan rakyat", r"barisan depan kampanye", r"kampanye ([\w'-]+ ){0,3}di "],
    "campaign_props": [r"(pasang|terpasang|dipasang|memasang|kepasang|masang|ketempel|bagi|dibagi|bagi bagi|dibagikan|membagikan|cetak|tempel|ditempel|nempel|berkibar|bikin)( [\w'-]+){0,3} (baliho|spanduk|stiker|kaos|bendera|apk|alat peraga|kalender|banner|poster)",
                       r"(baliho|spanduk|stiker|kaos|bendera|apk|kalender)( [\w'-]+){0,4} (terpasang|dipasang|kepasang|ditempel|ketempel|nempel|berkibar|dibagikan|dibagi)"],
}
# Mobilisation is an appeal to act addressed to staff, subordinates, residents, students...: the addressee
# ("bapak ibu guru", "warga desa", "grup WA") counts only with an appeal in the same field. A greeting
# ("Semangat pagi bapak ibu guru") or a self-description ("kami warga Klaten") is not an appeal.
MOBILIZATION_ADDRESSEES = [
    r"(bapak|ibu|rekan|teman|seluruh|semua|warga|para) (?:(?!saya |kami |kita )\w+ ){0,2}(guru|staf|pegawai|asn|pns|perawat|bidan|perangkat desa|rt|rw|kepala sekolah|kepsek|dosen|mahasiswa|kades|santri|majelis taklim|nakes|kepala desa|wali murid|warga)\b",
    r"warga desa", r"warga kampung", r"grup wa", r"grup guru",
]
# Appeals to act (slang already mapped: mari/yuk/hayu -> ayo, milih/pilihlah -> pilih, menangin -> menangkan).
# A first-person declaration ("saya pilih", "kami coblos", "sudah coblos") is the author's own act, not an appeal.
APPEAL_CUES = [
    r"\bayo\b", r"\b(meng|di)?ajak(an)?\b", r"(?<!saya )(?<!kami )(?<!sudah )\b(pilih|coblos|menangkan|kawal)\b",
    r"\bjangan lupa\b", r"\btolong\b", r"\bmohon\b", r"\bwajib\b", r"\bharus\b", r"\bkompak\b",
    r"\bkita (\w+ )?dukung\b",
]
FORM_PRIORITY = ["party_membership", "campaign_team", "support_letter", "official_decision", "mobilization",
                 "campaign_attendance", "campaign_props"]

# Photo words: a picture *with* a contestant.
# Partisan attributes in a picture ("kaos Prabowo-Gibran", "topi bergambar Anies"): stronger than a plain "with".
ATTRIBUTE_WORDS = ["kaos", "topi", "rompi", "jaket", "atribut", "bergambar", "baliho", "spanduk", "stiker", "bendera", "kalender"]
PHOTO_WITH = ["foto dengan", "jaket", "kaos", "memakai", "berdiri di depan", "di depan baliho", "di depan spanduk",
              "foto bersama", "foto bareng", "berfoto", "selfie dengan", "bersalaman dengan", "berpose", "satu frame",
              "pose", "bersama", "bareng", "salaman", "ketemu", "frame"]
CAMPAIGN_ACCOUNT_WORDS = ("relawan", "tkn", "tpn", "timnas", "sahabat", "posko", "pemenangan", "official", "fans",
                          "pendukung", "barisan", "relawanganjar", "tim", "koalisi", "jaringan", "simpul", "laskar")
CAMPAIGN_GROUP_WORDS = {"relawan", "tim pemenangan", "tkn", "tpn", "timnas", "sahabat", "posko", "pendukung",
                        "koordinasi relawan", "tim kampanye", "pemenangan"}

CONTRAST_TABLES = (("prefer", CONTRAST_PREFER), ("over", CONTRAST_OVER), ("comparator", COMPARATORS))


def generic_phrases():
    """Every cue phrase that is not about one contestant, as (phrase, hit kind, key, weight, strong).

    One table for the matcher: weighted cues, negators and their exceptions, frames (strong and weak terms),
    contrast markers (keyed by their normalised form), and the plain word lists of forms and media."""
    from services.classify.domain.normalise import normalise_phrase

    for table, kind in ((SUPPORT, "support"), (OPPOSE, "oppose")):
        for word, weight in table.items():
            yield word, kind, word, weight, True
    for word in NEGATABLE:  # support only until negated: weight 0 unless listed in SUPPORT
        yield word, "support", word, 0.0, True
    for name, (strong, weak) in FRAMES.items():
        for terms, is_strong in ((strong, True), (weak, False)):
            for term in terms:
                yield term, "frame", name, 0.0, is_strong
    for _, table in CONTRAST_TABLES:
        for term in table:
            yield term, "contrast", normalise_phrase(term), 0.0, True
    for kind, words in (("negator", NEGATORS), ("neg_exception", NEGATION_EXCEPTIONS), ("frame_exception", FRAME_EXCEPTIONS),
                        ("photo_with", PHOTO_WITH), ("attribute", ATTRIBUTE_WORDS), ("voted", VOTED),
                        ("advertorial", ADVERTORIAL), ("group", CAMPAIGN_GROUP_WORDS)):
        for word in words:
            yield word, kind, word, 0.0, True
