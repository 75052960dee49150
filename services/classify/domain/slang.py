"""Our own slang and regional-word table for election talk (written for this project, no third-party data).

Why our own: the public kamus-alay lexicons are unlicensed or non-commercial, and they lack the
partisan vocabulary anyway. Keys are normalised lower-case tokens; values are the canonical forms the
cue lexicons use. Keep values single words where possible so token spans stay one-to-one.
"""
from __future__ import annotations

SLANG: dict[str, str] = {
    # negation (Indonesian, Jakarta, Javanese, Sundanese, Minang, Betawi)
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "ngga": "tidak", "nggak": "tidak", "enggak": "tidak", "engga": "tidak",
    "tdk": "tidak", "tak": "tidak", "ndak": "tidak", "nda": "tidak", "kagak": "tidak", "kaga": "tidak", "ora": "tidak",
    "teu": "tidak", "henteu": "tidak", "indak": "tidak", "ndak": "tidak", "gag": "tidak", "g": "tidak", "tida": "tidak",
    "jgn": "jangan", "jngn": "jangan", "jangn": "jangan", "ojo": "jangan", "aja2": "jangan", "ulah": "jangan", "usah": "usah",
    "bukn": "bukan", "dudu": "bukan", "sanes": "bukan",
    "ogah": "ogah", "emoh": "ogah", "males": "ogah", "mls": "ogah",
    # function words
    "yg": "yang", "yng": "yang", "dgn": "dengan", "dg": "dengan", "sm": "sama", "ama": "sama", "utk": "untuk", "untk": "untuk",
    "buat": "untuk", "bwt": "untuk", "dr": "dari", "dri": "dari", "krn": "karena", "krna": "karena", "karna": "karena",
    "tp": "tapi", "tpi": "tapi", "tapi": "tapi", "jg": "juga", "jga": "juga", "aja": "saja", "aj": "saja", "ae": "saja",
    "wae": "saja", "bae": "saja", "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "wis": "sudah", "wes": "sudah",
    "blm": "belum", "blom": "belum", "lg": "lagi", "lgi": "lagi", "bgt": "banget", "bngt": "banget", "bet": "banget",
    "bener": "benar", "bnr": "benar", "klo": "kalau", "kalo": "kalau", "kl": "kalau", "nek": "kalau", "lamun": "kalau",
    "gmn": "gimana", "gimana": "gimana", "knp": "kenapa", "napa": "kenapa", "kpn": "kapan", "sy": "saya", "aku": "saya",
    "ak": "saya", "gw": "saya", "gue": "saya", "gua": "saya", "w": "saya", "ane": "saya", "awak": "saya", "kula": "saya",
    "abdi": "saya", "urang": "saya", "beta": "saya", "km": "kamu", "lu": "kamu", "lo": "kamu", "loe": "kamu", "elu": "kamu",
    "kalian": "kalian", "kita": "kita", "kami": "kami", "dia": "dia", "doi": "dia", "beliau": "beliau",
    "org": "orang", "wong": "orang", "jd": "jadi", "jdi": "jadi", "dpt": "dapat", "bs": "bisa", "bsa": "bisa",
    "trs": "terus", "trus": "terus", "emg": "memang", "emang": "memang", "pke": "pakai", "pake": "pakai", "kyk": "kayak",
    "sbg": "sebagai", "ttg": "tentang", "thd": "terhadap", "spy": "supaya", "biar": "supaya", "mau": "mau", "mo": "mau",
    "pengen": "ingin", "pgn": "ingin", "pingin": "ingin", "skrg": "sekarang", "skg": "sekarang", "skrang": "sekarang",
    "bpk": "bapak", "pak": "bapak", "bu": "ibu", "bapak2": "bapak", "ibu2": "ibu", "mbak": "mbak", "mas": "mas",
    "pokoke": "pokoknya", "pokok'e": "pokoknya", "pkoknya": "pokoknya", "pkknya": "pokoknya", "pokonya": "pokoknya",
    "dulur": "saudara", "sedulur": "saudara", "gaes": "guys", "gais": "guys", "gengs": "guys",
    "mantul": "mantap", "mantab": "mantap", "mntp": "mantap", "mantep": "mantap",
    "ayok": "ayo", "ayuk": "ayo", "yuk": "ayo", "yok": "ayo", "hayu": "ayo", "mari": "ayo", "monggo": "ayo", "kuy": "ayo",
    "mendingan": "mending", "mending": "mending", "drpd": "daripada", "dripada": "daripada", "drpada": "daripada",
    "cuman": "cuma", "krg": "kurang", "kurg": "kurang", "kirang": "kurang",
    "gaskeun": "gas", "gass": "gas", "gaspol": "gas", "sikat": "gas",
    # election verbs and nouns
    "plh": "pilih", "pilihlah": "pilih", "milih": "pilih", "memilih": "pilih", "mlh": "pilih", "pilihen": "pilih",
    "pilihkeun": "pilih", "nyoblos": "coblos", "nyoblos2": "coblos", "mencoblos": "coblos", "coblosen": "coblos",
    "cblos": "coblos", "dicoblos": "coblos", "dukung": "dukung", "dkg": "dukung", "dkung": "dukung", "ndukung": "dukung", "mendukung": "dukung",
    "sokong": "dukung", "menangkan": "menangkan", "menangin": "menangkan", "memenangkan": "menangkan",
    "menangke": "menangkan", "lanjutkeun": "lanjutkan", "lanjutin": "lanjutkan", "teruskan": "lanjutkan", "terusin": "lanjutkan",
    "nomer": "nomor", "nmr": "nomor", "nmor": "nomor", "nomr": "nomor", "no": "no", "nr": "nomor", "nomber": "nomor",
    "paslon": "paslon", "capres": "capres", "cawapres": "cawapres", "cagub": "cagub", "pilpres": "pilpres",
    "tolak": "tolak", "menolak": "tolak", "ditolak": "tolak", "tolaklah": "tolak",
    "timses": "timses", "jurkam": "jurkam", "kta": "kta",
    # numbers written as words (standard + Javanese + Sundanese)
    "satu": "1", "siji": "1", "hiji": "1", "kesatu": "1", "dua": "2", "loro": "2", "kalih": "2", "tiga": "3", "telu": "3",
    "tilu": "3", "tigo": "3", "duo": "2", "duaa": "2", "tigaa": "3", "satuu": "1",
    # Javanese krama, Balinese, Madurese numbers
    "setunggal": "1", "besik": "1", "settong": "1", "dhuwa": "2", "tello": "3",
}

# Regional verbs with the same meaning as a standard one (kept separate so the table above stays readable).
REGIONAL: dict[str, str] = {
    "nyoblos": "coblos", "nyoblosa": "coblos", "ngedukung": "dukung", "milihen": "pilih", "kudu": "harus", "wajib": "wajib",
    "mesti": "harus", "kudune": "harus", "sing": "yang", "nu": "yang", "nan": "yang", "iki": "ini", "iku": "itu",
    "negoro": "negara", "pisan": "banget", "pokoknye": "pokoknya", "pokona": "pokoknya", "pokokna": "pokoknya",
    "paliang": "paling", "pele": "pilih", "hilap": "lupa", "meunang": "menang", "sadayana": "semua", "dunsanak": "saudara",
    "semeton": "saudara", "nagari": "negeri", "untuak": "untuk", "mung": "cuma", "loba": "banyak", "bohongna": "bohong",
    "wae": "saja", "milihna": "pilih", "nyoblosna": "coblos", "nyoblose": "coblos", "pileh": "pilih", "mimpin": "pimpin", "mbuktekke": "buktikan", "lali": "lupa", "poho": "lupa", "lupo": "lupa",
}
SLANG.update({k: v for k, v in REGIONAL.items() if k not in SLANG})
