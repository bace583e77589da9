"""Name normalisation for village, street and house-number matching across Kyrgyz, Russian and Latin.

A register typed by hand writes the same street as "Манас көчөсү", "Манас коч.", "ул. Манаса" or
"Manas kochosu". Matching compares *keys*: a lower-case Latin skeleton in which the Kyrgyz letters fold
onto their Russian neighbours (ң/н, ө/о, ү/у), ё/е and ъ/ь vanish, transliteration variants collapse
(zh/j/dj, kh/h, ng/n, y/i) and street-type words (көчөсү, улица, пер., …) are taken out and kept as a
separate *kind*. Fuzzy scores come from rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

__all__ = [
    "HouseNumber",
    "NameKey",
    "house_numbers",
    "name_key",
    "name_similarity",
    "parse_house",
    "place_key",
    "skeleton",
]

# Cyrillic (Russian + Kyrgyz) to a plain Latin spelling; the Latin rules below then fold variants.
_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "i", "є": "e", "ў": "u", "ғ": "g", "қ": "k", "ұ": "u", "һ": "h", "ә": "a",
}  # fmt: skip
# Latin letters with diacritics used in Kyrgyz/Turkic Latin spellings and in German names.
_LATIN_SPECIAL = {
    "č": "ch",
    "š": "sh",
    "ž": "zh",
    "ß": "ss",
    "ç": "ch",
    "ş": "sh",
    "ı": "i",
    "ğ": "g",
}
# Ordered rewrites that collapse transliteration variants (applied to Latin only).
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("sch", "sh"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("tz", "ts"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("q", "k"),
    ("x", "ks"),
    ("y", "i"),
)

# Street-type words (any language) -> kind. Matched on the lower-cased word with trailing dots removed.
_STREET_KINDS: dict[str, str] = {}
for _kind, _kind_words in {
    "street": (
        "ул",
        "улица",
        "улицы",
        "улице",
        "көчөсү",
        "көчө",
        "көч",
        "кочосу",
        "коч",
        "кочо",
        "көчөсу",
        "kochosu",
        "kocho",
        "koch",
        "kochesi",
        "kochasy",
        "street",
        "st",
        "str",
        "strasse",
        "straße",
        "ulitsa",
        "ulica",
        "ul",
    ),
    "lane": (
        "пер",
        "переулок",
        "переулка",
        "тыкыр",
        "тыкыры",
        "тык",
        "туюк",
        "туюгу",
        "тупик",
        "туюк",
        "тук",
        "pereulok",
        "per",
        "lane",
        "ln",
    ),
    "avenue": ("пр", "просп", "проспект", "пр-т", "проспекти", "prospekt", "avenue", "ave", "av"),
    "district": ("мкр", "микрорайон", "мкрн", "микрорайону", "кичирайон", "кв", "квартал", "mkr"),
    "square": ("пл", "площадь", "аянты", "аянт", "square", "sq"),
    # "жол"/"road" are left in: "Жаңы Жол" (New Road) is a name, not a type.
    "road": ("шоссе", "трасса", "тракт", "highway"),
}.items():
    for _w in _kind_words:
        _STREET_KINDS[_w] = _kind

# Words that only decorate a name ("named after", "village", …): dropped from keys.
_STOP_WORDS = frozenset(
    {
        "им", "имени", "атындагы", "аты", "атн", "named", "after", "the", "der", "die", "am",
        "село", "селе", "села", "айыл", "айылы", "аил", "аилы", "ayil", "ayyl", "aiyl", "ail",
        "пос", "поселок", "посёлок", "пгт", "дер", "деревня", "village", "vil",
        "город", "шаар", "шаары", "town", "кыштак", "кыштагы", "хутор",
    }
)  # fmt: skip
# One-letter prefixes of place names ("с. Терек-Суу", "п. …", "г. …"): in street names the same
# letters are initials ("С. Орозбеков көчөсү"), so they are dropped from place names only.
_PLACE_PREFIXES = frozenset({"с", "п", "д", "г", "s"})
# Short Russian genitive endings in names after "ул./пер." ("ул. Манаса", "ул. Ленина").
_GENITIVE_ENDINGS = ("ogo", "ego", "oi", "ei", "ia", "a", "i")

_WORD_RE = re.compile(r"[^\W_]+\.?", re.UNICODE)
_DIGITS_RE = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class NameKey:
    """The comparable form of a street or place name.

    Attributes
    ----------
    key
        Latin skeleton of the name without type words or spaces, e.g. ``"manas"``.
    tokens
        Skeletons of the name's words, in order (initials kept, one letter each).
    kind
        Street type found in the name ("street", "lane", …) or ``""`` when none was written.
    numbers
        Digit groups in the name ("1-й переулок" -> ``("1",)``): they must agree exactly.
    loose
        ``key`` with "ng" folded to "n" and doubled letters made single: equal for spellings that
        differ only in transliteration.
    """

    key: str
    tokens: tuple[str, ...]
    kind: str
    numbers: tuple[str, ...]
    loose: str = ""
    genitive: str = ""
    initials: frozenset[str] = frozenset()

    @property
    def ident(self) -> str:
        """Identity of a street name for exact grouping: kind and loose key."""
        return f"{self.kind}:{self.loose}"


def _fold_char(ch: str) -> str:
    if ch in _CYR:
        return _CYR[ch]
    if ch in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base


@lru_cache(maxsize=200_000)
def skeleton(text: str) -> str:
    """Return the Latin skeleton of one word or phrase (letters and digits only, variants folded).

    Examples
    --------
    >>> skeleton("Чоң-Арык") == skeleton("Chong-Aryk") == skeleton("Чон-Арык")
    True
    """
    low = unicodedata.normalize("NFC", text).lower()
    latin = "".join(_fold_char(c) for c in low)
    latin = re.sub(r"[^a-z0-9]+", "", latin)
    for old, new in _LATIN_RULES:
        latin = latin.replace(old, new)
    return latin


def _collapse(key: str) -> str:
    # ң is written "ng" in Latin ("Chong-Aryk") but "н" in Russian; doubled letters are a common
    # typing variation ("Исыкколь"/"Иссык-Куль"). Folded only in the loose key, so that a typo
    # next to "нг" ("Кңүгөй") still compares letter by letter in the strict key.
    # Digraphs for one Cyrillic letter become one symbol, so a typo in "ш" is one edit, not two
    # (w and q are free: the Latin rules fold them away).
    key = key.replace("ng", "n").replace("sh", "w").replace("ch", "q").replace("ts", "c")
    return re.sub(r"([a-z])\1+", r"\1", key)


_ORDINAL_RE = re.compile(
    r"(\d+)\s*-?\s*(?:й|я|ая|ый|ий|ой|го|чи|нчи|инчи|чы|ынчы|st|nd|rd|th)(?![^\W\d_])", re.UNICODE
)


# Look-alikes typed for Kyrgyz letters: barred o (Latin ɵ, Cyrillic fita ѳ) for ө, ҥ/ӊ for ң.
_LOOKALIKES = str.maketrans({"ɵ": "ө", "ѳ": "ө", "ҥ": "ң", "ӊ": "ң", "ӧ": "ө", "ӱ": "ү", "ё": "е"})


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower().translate(_LOOKALIKES)
    text = _ORDINAL_RE.sub(r"\1 ", text)  # "1-й", "2-чи" -> "1"
    # "ул.Манаса" / "Манас-көч." : dots and hyphens between words separate type words from names.
    return _WORD_RE.findall(text.replace("-", " - "))


@lru_cache(maxsize=200_000)
def name_key(text: str, *, place: bool = False) -> NameKey:
    """Split a street or place name into its comparable key, word skeletons, kind and numbers.

    Parameters
    ----------
    text
        A name as written: "ул. Манаса", "Манас көчөсү", "1-й пер. Ленина", "Haydnstraße".
    place
        The name is a village's: one-letter prefixes ("с.") are dropped instead of kept as initials.

    Returns
    -------
    NameKey
    """
    kind = ""
    tokens: list[str] = []
    words = [w.rstrip(".") for w in _words(text)]
    words = [w for w in words if w not in _STOP_WORDS and not (place and w in _PLACE_PREFIXES)]
    # "к." is "көчөсү" only after the name ("Манас к."); before it, it is an initial ("К. Тыныстанов").
    if len(words) > 1 and words[-1] == "к":
        kind = "street"
        words = words[:-1]
    # Type words are taken out unless nothing but type words and numbers would remain.
    if any(w not in _STREET_KINDS and not w.isdigit() for w in words):
        for w in words:
            if w in _STREET_KINDS:
                kind = kind or _STREET_KINDS[w]
        words = [w for w in words if w not in _STREET_KINDS]
    for word in words:
        if word.isdigit() or re.fullmatch(r"\d+(й|я|ая|ый|ий|ой|st|nd|rd|th|чи|нчи|инчи)?", word):
            tokens.append(_DIGITS_RE.findall(word)[0])
            continue
        # German compounds: "Haydnstraße" / "Goethestr." carry the type inside the word.
        m = re.fullmatch(r"(.{3,}?)(straße|strasse|str)", word)
        if m and not kind:
            kind = "street"
            word = m.group(1)
        # Kyrgyz possessive inside a word: "Манаскөчөсү" (typed without a space).
        m = re.fullmatch(r"(.{3,}?)(көчөсү|кочосу)", word)
        if m:
            kind = kind or "street"
            word = m.group(1)
        sk = skeleton(word)
        if sk:
            tokens.append(sk)
    numbers = tuple(t for t in tokens if t.isdigit())
    key = "".join(tokens)
    return NameKey(
        key=key,
        tokens=tuple(tokens),
        kind=kind,
        numbers=numbers,
        loose=_collapse(key),
        genitive="".join(_strip_genitive(t) for t in tokens),
        initials=frozenset(t for t in tokens if len(t) == 1 and not t.isdigit()),
    )


def place_key(text: str) -> str:
    """Return the key of a village name ("с. Терек-Суу", "Терек-Суу айылы", "Terek-Suu" -> same)."""
    return name_key(text, place=True).loose


def _strip_genitive(token: str) -> str:
    if len(token) > 4:
        for end in _GENITIVE_ENDINGS:
            if token.endswith(end):
                return token[: -len(end)]
    return token


def _initials_dropped(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    initials = {t for t in b if len(t) == 1 and not t.isdigit()}
    if not initials:
        return a
    return tuple(t for t in a if not (len(t) > 1 and t[0] in initials))


def name_similarity(a: NameKey, b: NameKey) -> float:
    """Score how likely two names denote the same street or place (0-100).

    Numbers in the names must agree ("1-й пер." is never "2-й пер."); a different written kind
    ("ул." vs "пер.") costs 20 points; Russian genitive endings ("Манаса") and given names abbreviated
    to initials ("Ж. Баласагын" vs "Жусуп Баласагын") are forgiven.
    """
    if not a.key or not b.key:
        return 0.0
    if a.numbers != b.numbers:
        return 0.0
    if a.initials or b.initials:
        ta = _initials_dropped(a.tokens, b.tokens)
        tb = _initials_dropped(b.tokens, a.tokens)
        ta = tuple(t for t in ta if len(t) > 1 or t.isdigit()) or ta
        tb = tuple(t for t in tb if len(t) > 1 or t.isdigit()) or tb
        ka, kb = "".join(ta), "".join(tb)
        la, lb = _collapse(ka), _collapse(kb)
        ga = "".join(_strip_genitive(t) for t in ta)
        gb = "".join(_strip_genitive(t) for t in tb)
    else:  # the common case: everything precomputed
        ta, tb, ka, kb = a.tokens, b.tokens, a.key, b.key
        la, lb, ga, gb = a.loose, b.loose, a.genitive, b.genitive
    score = max(fuzz.ratio(ka, kb), fuzz.ratio(la, lb))
    # Two swapped neighbouring letters ("Жабмыл" for "Жамбыл") are one slip of the hand.
    if (
        score < 90
        and min(len(ka), len(kb)) >= 5
        and OSA.distance(ka, kb) == 1
        and Levenshtein.distance(ka, kb) == 2
    ):
        score = 90.0
    if score < 100:
        score = max(score, fuzz.ratio(ga, gb) - 1)
        if len(ta) > 1 or len(tb) > 1:
            score = max(score, fuzz.token_sort_ratio(" ".join(ta), " ".join(tb)) - 1)
    if a.kind and b.kind and a.kind != b.kind:
        score -= 20
    return float(max(score, 0.0))


@dataclass(frozen=True, slots=True)
class HouseNumber:
    """A parsed house number.

    Attributes
    ----------
    key
        Normalised full number, e.g. ``"12а"`` for "12 А", "д. 12-а"; ``"12/1"`` for "12/1".
    number
        The leading integer (12) or None when the text has no digits.
    """

    key: str
    number: int | None


# Longer words first: "дом" must not be read as "д" + "ом".
_HOUSE_PREFIX = re.compile(
    r"^\s*(?:дом|house|үй|уй|д\.?|№|no\.?|nr\.?|h\.|#)\s*(?:№\s*)?", re.IGNORECASE | re.UNICODE
)
_LATIN_LOOKALIKE = str.maketrans("abvgde", "абвгде")
_FLAT_SUFFIX = re.compile(r"[,\s]*(?:кв\.?|квартира|батир|apt\.?|flat)\s*\d+.*$", re.IGNORECASE)


@lru_cache(maxsize=200_000)
def parse_house(text: str) -> HouseNumber:
    """Parse a house number as typed: "12", "12а", "12 А", "д. 12-а", "12/1", "12, кв. 3".

    Latin letters that look like Cyrillic ones (a/а, б) are folded so "12a" equals "12а".
    """
    s = unicodedata.normalize("NFC", str(text)).strip().lower()
    s = _FLAT_SUFFIX.sub("", s)
    s = _HOUSE_PREFIX.sub("", s)
    s = s.replace("ё", "е")
    s = re.sub(r"\.0$", "", s)  # a number read as a float from a spreadsheet
    s = re.sub(r"\s*([/\\])\s*", "/", s).replace("\\", "/")
    s = re.sub(r"(?<=\d)[\s\-]+(?=[^\W\d_])", "", s)  # "12 а", "12-а" -> "12а"
    s = re.sub(r"\s+", "", s)
    s = s.translate(_LATIN_LOOKALIKE)
    m = re.match(r"\d+", s)
    return HouseNumber(key=s, number=int(m.group(0)) if m else None)


def house_numbers(text: str) -> list[HouseNumber]:
    """Split an OSM ``addr:housenumber`` value that lists several numbers ("12;14", "3, 5")."""
    parts = [p for p in re.split(r"[;,]", str(text)) if p.strip()]
    return [parse_house(p) for p in parts]
