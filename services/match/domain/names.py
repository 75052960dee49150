"""Indonesian personal-name normalisation and comparison.

``parse_name("Dra. Hj. Sri Wahyuningsih, M.Pd.")`` -> tokens ``("sri", "wahyuningsih")``,
titles ``("dra", "hj", "m.pd")``, gender hint ``"F"`` (Dra./Hj./Bu/Ibu are female; Drs./H./Pak male).

Steps: ASCII-fold and lower-case; titles before the name (Dr., Dra., Drs., Ir., H., Hj., Prof.,
Ns., ...) and social honorifics (Pak, Bu, Bunda, Mas, Mbak, Kang, ...) are removed from the front;
academic titles after the name (S.Pd., M.Pd., S.E., M.Si., S.Kom., A.Md.Kep., ...) from the back and
from every comma-separated tail; abbreviations are expanded (M./Muh./Moh./Moch./Mochammad/Mhd. ->
muhammad, Abd. -> abdul, St. first -> siti); old (pre-1972) spellings are folded when a token shows
one (oe->u, dj->j, tj->c, ch->kh, sj->sy, nj->ny, and then j->y as in Djaja -> jaya).
``phonetic_key`` folds further for blocking (double letters, final h, y/i, kh/h, f/v/p ...).
Missing middle names and single names are handled by the comparison, not the normaliser.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.fuzz import ratio

PREFIX_TITLES = {
    "dr", "drs", "dra", "drg", "ir", "h", "hj", "prof", "kh", "ns", "hc", "ust", "ustadz", "ustaz",
    "ustadzah", "ustazah", "haji", "hajah", "hajjah", "pdt", "apt", "bd", "rr", "ra", "raden", "kgs",
    "drh", "dipl", "ing", "mr", "mrs", "ms", "bpk",
}
HONORIFICS = {
    "pak": "M", "bapak": "M", "bpk": "M", "mas": "M", "kang": "M", "bang": "M", "abang": "M",
    "cak": "M", "om": "M", "ayah": "M", "papa": "M", "abi": "M", "uda": "M", "daeng": None,
    "bu": "F", "ibu": "F", "buk": "F", "bunda": "F", "bund": "F", "mbak": "F", "mba": "F",
    "teh": "F", "ning": "F", "tante": "F", "umi": "F", "mama": "F", "mamah": "F", "uni": "F",
    "kak": None, "kakak": None, "bro": "M", "sis": "F",
}
TITLE_GENDER = {"dra": "F", "hj": "F", "hajah": "F", "hajjah": "F", "ustadzah": "F", "ustazah": "F",
                "drs": "M", "h": "M", "haji": "M", "kh": "M", "ustadz": "M", "ustaz": "M"}
SUFFIX_TITLES = {
    "spd", "mpd", "se", "sh", "mh", "msi", "ssi", "skom", "mkom", "st", "mt", "mm", "ssos", "msos",
    "sip", "mip", "sag", "mag", "spdi", "mpdi", "shi", "mhi", "skm", "mkes", "skep", "ns", "amd",
    "amdkep", "amdkeb", "skeb", "sfarm", "apt", "sked", "mkn", "mpa", "map", "mba", "phd", "sp",
    "mp", "stp", "sth", "spt", "spsi", "mpsi", "ak", "ca", "cpa", "sst", "sstp", "mae", "msc", "ma",
    "mhum", "shum", "sikom", "sikom", "shut", "ssn", "sds", "se", "mec", "mep", "msc", "bsc",
    "spog", "spa", "sppd", "spb", "spkk", "spm", "sthi", "mtr", "spi", "ssy", "sei", "msy", "mmpd",
    "ssit", "mtpd", "amdkom", "amdak", "sgz", "str", "strkeb", "strkep", "sktm", "ssit", "ssiw",
    "skg", "mars", "mmr", "mkm", "mt", "mpwk", "sip", "sip", "mi", "mikom", "mkep", "mkeb",
    "dr", "drs", "ir",
}
MUHAMMAD = {"m", "muh", "moh", "moch", "mochammad", "mochamad", "mohammad", "mohamad", "muhamad",
            "muhamat", "muhammat", "muchammad", "muchamad", "mhd", "mohd", "muhd", "mukhammad", "mukhamad",
            "muhammad", "mohamed", "muhammed", "mochammat", "mochamat", "moehammad", "moehamad",
            "mokhammad", "mokhamad", "mohammed", "muhhamad", "muhamadd", "mhmd"}
EXPANSIONS = {
    **{v: "muhammad" for v in MUHAMMAD},
    "abd": "abdul", "abdoel": "abdul", "achmad": "ahmad", "akhmad": "ahmad", "ahmat": "ahmad",
    "achmat": "ahmad", "amad": "ahmad", "noor": "nur", "nor": "nur", "noer": "nur", "nurul": "nurul",
    "sitti": "siti", "mochtar": "muhtar", "moehtar": "muhtar",
}
FIRST_ONLY = {"st": "siti", "sti": "siti"}
_OLD_SPELLING = re.compile(r"oe|dj|tj|sj|nj|ch")
_NONALPHA = re.compile(r"[^a-z.\s,]")
_TITLE_SHAPE = re.compile(r"^[a-z]{1,3}(?:\.[a-z]{1,5}){1,3}\.?$")


@dataclass(frozen=True, slots=True)
class ParsedName:
    raw: str
    tokens: tuple[str, ...]
    keys: tuple[str, ...]
    titles: tuple[str, ...]
    gender_hint: str | None

    @property
    def normalized(self) -> str:
        return " ".join(self.tokens)

    @property
    def key(self) -> str:
        return " ".join(self.keys)


def ascii_fold(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def fold_old_spelling(token: str) -> str:
    """Pre-1972 (van Ophuijsen / Soewandi) spellings to EYD; only for tokens that show one."""
    if not _OLD_SPELLING.search(token):
        return token
    value = token.replace("dj", "\x00").replace("tj", "c").replace("sj", "sy").replace("nj", "ny")
    value = value.replace("ch", "kh").replace("oe", "u")
    if "\x00" in value or "j" in value:
        value = value.replace("j", "y")
    return value.replace("\x00", "j")


@lru_cache(maxsize=200_000)
def normalize_token(token: str, first: bool = False) -> str:
    """One lower-case ASCII token without dots -> canonical spelling (abbreviations expanded)."""
    value = token.strip(".")
    if first and value in FIRST_ONLY:
        return FIRST_ONLY[value]
    if value in EXPANSIONS:
        return EXPANSIONS[value]
    value = fold_old_spelling(value)
    return EXPANSIONS.get(value, value)


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    """A coarse key for blocking: sound-alike spellings of one token collapse to one key."""
    value = token
    if value in EXPANSIONS:
        value = EXPANSIONS[value]
    for old, new in (("kh", "h"), ("dh", "d"), ("th", "t"), ("ph", "f"), ("sy", "s"), ("ie", "i"),
                     ("q", "k"), ("x", "ks"), ("v", "f"), ("y", "i"), ("z", "j"), ("dz", "j"), ("ck", "k"),
                     ("c", "k")):
        if old in value:
            value = value.replace(old, new)
    out = []
    for ch in value:
        if not out or out[-1] != ch:
            out.append(ch)
    value = "".join(out)
    if len(value) > 3 and value.endswith("h"):
        value = value[:-1]
    return value or token


class _TokenKeys(dict):
    """Token -> ``phonetic_key``, filled on first use: registry tokens are a bounded vocabulary, and a
    plain dict hit (``map(registry_token_keys.__getitem__, tokens)``) costs a fraction of a call."""

    def __missing__(self, token: str) -> str:
        key = self[token] = phonetic_key(token)
        return key


registry_token_keys = _TokenKeys()


TITLE_PARTS = {"pd", "kom", "si", "sos", "kes", "kep", "keb", "md", "farm", "hut", "ikom", "ag", "hi", "h",
               "e", "t", "ip", "psi", "ak", "ked", "gz", "tr", "p", "pt", "th", "sy", "ei", "i", "m", "hum",
               "sc", "a", "og", "kg", "ds", "sn", "tp", "kn", "pwk", "ars", "ae", "pi", "ap", "ked", "kn",
               "stat", "par", "tr", "gz", "ft", "kl", "fis", "hub", "pol", "ling", "mat", "ling", "or"}


def is_suffix_title(token: str) -> bool:
    bare = token.replace(".", "")
    if bare in SUFFIX_TITLES:
        return True
    if not _TITLE_SHAPE.match(token) or len(bare) > 8 or token[0] not in "smadbp":
        return False
    parts = [p for p in token.split(".") if p]
    return all(p in TITLE_PARTS for p in parts[1:])


def _split_token(token: str) -> list[str]:
    """``m.yusuf`` -> ``["m", "yusuf"]``; ``s.pd.`` stays one (a title)."""
    if "." in token.strip(".") and not is_suffix_title(token):
        return [part for part in token.split(".") if part]
    return [token]


@lru_cache(maxsize=500_000)
def parse_name(raw: str) -> ParsedName:
    """``_parse_name``, memoised; a plain name (no comma, every part a word: no title, honorific or
    initial) is assembled from the per-token memo the index uses, at a fraction of the cost."""
    if "," not in raw:
        parts = [_MEMO.get(part) or _classify(part) for part in raw.split()]
        if parts and all(kind == _WORD for kind, _, _, _ in parts):
            return ParsedName(raw=raw, tokens=tuple(norm for _, norm, _, _ in parts),
                              keys=tuple(key for _, _, key, _ in parts), titles=(), gender_hint=None)
    return _parse_name(raw)


def _parse_name(raw: str) -> ParsedName:
    text = ascii_fold(raw or "").lower().replace("'", "").replace("`", "").replace("-", " ")
    text = _NONALPHA.sub(" ", text)
    segments = text.split(",")
    titles: list[str] = []
    gender: str | None = None
    tokens: list[str] = []
    for part in segments[0].split():
        tokens.extend(_split_token(part))
    for segment in segments[1:]:
        for part in segment.split():
            if is_suffix_title(part) or part.strip(".") in PREFIX_TITLES:
                titles.append(part.strip("."))
            else:
                tokens.extend(p for p in _split_token(part) if p)
    # Titles and honorifics in front.
    while len(tokens) > 1:
        head = tokens[0].strip(".")
        if head in HONORIFICS:
            gender = gender or HONORIFICS[head]
        elif head in PREFIX_TITLES and not (head == "h" and not tokens[0].endswith(".") and len(tokens) == 2):
            gender = gender or TITLE_GENDER.get(head)
        else:
            break
        titles.append(head)
        tokens.pop(0)
    # Academic titles behind (written without a comma).
    while len(tokens) > 1 and len(tokens[-1].strip(".")) > 1 and is_suffix_title(tokens[-1]):
        titles.append(tokens.pop().strip("."))
    for title in titles:
        gender = gender or TITLE_GENDER.get(title)
    words: list[str] = []
    for index, token in enumerate(tokens):
        bare = token.strip(".")
        if not bare:
            continue
        words.append(normalize_token(bare, first=index == 0))
    return ParsedName(raw=raw, tokens=tuple(words), keys=tuple(phonetic_key(w) for w in words),
                      titles=tuple(titles), gender_hint=gender)


def normalize_name(raw: str) -> str:
    return parse_name(raw).normalized


def token_similarity(a: str, a_key: str, b: str, b_key: str) -> float:
    if a == b:
        return 1.0
    if a_key == b_key:
        return 0.95
    if len(a) == 1 or len(b) == 1:
        return 0.7 if a[0] == b[0] else 0.0
    if min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)):
        return 0.85  # short form: Frans / Fransiskus, Yudi / Yudianto
    score = ratio(a, b) / 100.0
    return score if score >= 0.8 else 0.0


UNMATCHED_CANDIDATE_WEIGHT = 0.15
# Prefixes that carry little identity (Balinese I/Ni/Luh, Butonese La/Wa, Ode): left out of profiles often.
LOW_INFORMATION = {"i", "ni", "luh", "la", "wa", "ode", "andi", "gusti", "ida", "bagus", "putu", "wayan", "gede",
                   "kadek", "made", "nyoman", "komang", "ketut"}

def name_similarity(q_tokens: tuple[str, ...], q_keys: tuple[str, ...],
                    c_tokens: tuple[str, ...], c_keys: tuple[str, ...]) -> float:
    """0..1. Every query token is aligned with its best unused candidate token; unmatched query
    tokens count fully against, unmatched candidate tokens (a middle name the profile left out)
    count ``UNMATCHED_CANDIDATE_WEIGHT`` (0.05 for low-information parts such as Balinese I/Ni).
    Order-insensitive (``Santoso Budi`` = ``Budi Santoso``)."""
    if not q_tokens or not c_tokens:
        return 0.0
    if q_keys == c_keys:
        return 1.0 if q_tokens == c_tokens else 0.97
    free = list(range(len(c_tokens)))
    total = 0.0
    rest: list[int] = []
    # Exact and same-key tokens first (cheap, and most candidates share some).
    for i, qt in enumerate(q_tokens):
        for j in free:
            if c_tokens[j] == qt:
                total += 1.0
                free.remove(j)
                break
        else:
            qk = q_keys[i]
            for j in free:
                if c_keys[j] == qk:
                    total += 0.95
                    free.remove(j)
                    break
            else:
                rest.append(i)
    if rest and free:
        pairs = []
        for i in rest:
            qt = q_tokens[i]
            for j in free:
                sim = token_similarity(qt, q_keys[i], c_tokens[j], c_keys[j])
                if sim > 0.0:
                    pairs.append((sim, i, j))
        pairs.sort(reverse=True)
        used_q: set[int] = set()
        for sim, i, j in pairs:
            if i in used_q or j not in free:
                continue
            used_q.add(i)
            free.remove(j)
            total += sim
    missing = 0.0
    for j in free:
        missing += 0.05 if c_tokens[j] in LOW_INFORMATION else UNMATCHED_CANDIDATE_WEIGHT
    return total / (len(q_tokens) + missing)


# --- fast path for indexing millions of registry names --------------------------------------
_WORD, _PREFIX, _SUFFIX, _COMPLEX, _BOTH = 0, 1, 2, 3, 4
_MEMO: dict[str, tuple[int, str, str, bool]] = {}
_SIMPLE = re.compile(r"^[A-Za-z]+\.?$")


def _classify(raw: str) -> tuple[int, str, str, bool]:
    hit = _MEMO.get(raw)
    if hit is not None:
        return hit
    low = raw.lower().replace("'", "").replace("`", "")
    bare = low.strip(".")
    if not _SIMPLE.match(low) and not (is_suffix_title(low) and re.fullmatch(r"[a-z.]+", low)):
        result = (_COMPLEX, "", "")
    elif bare in FIRST_ONLY or (bare == "h" and not low.endswith(".")):
        result = (_COMPLEX, "", "")
    elif bare in HONORIFICS or bare in PREFIX_TITLES:
        result = (_PREFIX if not is_suffix_title(low) or bare in PREFIX_TITLES else _SUFFIX, "", "")
        if is_suffix_title(low) and bare in PREFIX_TITLES and len(bare) > 1:
            result = (_BOTH, "", "")  # dr, drs, ir, ns, apt: a title in front and behind
    elif "." in bare or is_suffix_title(low) and len(bare) > 1:
        result = (_SUFFIX, "", "") if is_suffix_title(low) else (_COMPLEX, "", "")
    else:
        norm = normalize_token(bare)
        result = (_WORD, norm, phonetic_key(norm))
    result = (*result, len(bare) > 1)
    if len(_MEMO) < 1_000_000:
        _MEMO[raw] = result
    return result


_TAIL_MEMO: dict[str, bool] = {}


def _tail_is_titles(tail: str) -> bool:
    ok = _TAIL_MEMO.get(tail)
    if ok is None:
        # As ``_parse_name`` drops a tail part: a title (an honorific such as "bu" there is a name part).
        ok = all(kind in (_SUFFIX, _BOTH) or kind == _PREFIX and part.lower().strip(".") in PREFIX_TITLES
                 for part in tail.replace(",", " ").split() for kind in (_classify(part)[0],))
        if len(_TAIL_MEMO) < 100_000:
            _TAIL_MEMO[tail] = ok
    return ok


def tokens_for_index(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tokens, keys) exactly as ``parse_name(raw)`` gives them, memoised per token so national
    registries index quickly; unusual names fall back to ``parse_name``."""
    head, _, tail = raw.partition(",")
    if tail and not _tail_is_titles(tail):
        parsed = _parse_name(raw)
        return parsed.tokens, parsed.keys
    get = _MEMO.get
    classes = [get(p) or _classify(p) for p in head.split()]
    start, end = 0, len(classes)
    while end - start > 1 and classes[start][0] in (_PREFIX, _BOTH):
        start += 1
    while end - start > 1 and classes[end - 1][0] in (_SUFFIX, _BOTH) and classes[end - 1][3]:
        end -= 1
    tokens = []
    keys = []
    for kind, norm, key, _ in classes[start:end]:
        if kind:
            parsed = _parse_name(raw)
            return parsed.tokens, parsed.keys
        tokens.append(norm)
        keys.append(key)
    return tuple(tokens), tuple(keys)
