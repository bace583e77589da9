"""Name normalisation for village, street and house-number matching across Kyrgyz, Russian and Latin.

A register typed by hand writes the same street as "Манас көчөсү", "Манас коч.", "ул. Манаса" or
"Manas kochosu". Matching compares *keys*: the Latin skeleton of `routing.translit.fold`, in which
every documented transliteration system, look-alike letters of the other script and the common
typing variants meet, with street-type words (көчөсү, köchö, k., улица, пер., тыкыры, …) taken off
the ends of the name and kept as a separate *kind*. Fuzzy scores come from rapidfuzz; the rules
that keep a near name from being taken for another street (a word added or dropped, a suffix that
makes another name) are in `name_similarity`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from routing.translit import fix_lookalikes, fold

__all__ = [
    "HouseNumber",
    "KeyIndex",
    "NameKey",
    "house_numbers",
    "name_key",
    "name_similarity",
    "parse_house",
    "place_key",
    "skeleton",
]

skeleton = fold  # the matching skeleton of routing.translit, under its older name here

# Street-type words, recognised on their skeleton so that every spelling of one word is one
# pattern: "көчөсү", "köchösü", "kochosu", "кечесу" (typed with е), "к?ч?с?" (a Windows-1251 file)
# and the abbreviations "көч.", "k." all fold onto k-?-ch-?-s-?.
_V = "[aeiou?]"
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (
            "street",
            # "k???": köçö written in a Windows-1251 file, which has neither ö nor ç
            rf"k|kch|k[oeu?](ch|\?)({_V}+(s{_V}?)?)?|ul|uli(ts|tc|c){_V}?|st|str|street|stras+e"
            r"|kuchas?i",
        ),
        ("lane", r"t[iu?]k([iu?]r[iu?]?)?|tupik|tu{_V}uk|tuiugu|per|pereul(ok|ka)?|proezd|lane|ln"),
        ("avenue", r"pr|prosp|prospekti?|prt|avenue|ave|av"),
        ("district", r"mkrn?|mikroraionu?|kichiraion|kv|kvartal"),
        ("square", r"pl|ploshad|aianti?|square|sq"),
        # "жол"/"road" are left out: "Жаңы Жол" (New Road) is a name, not a type.
        ("road", r"shos+e|tras+a|trakt|highwai"),
    )
)
# Words that only decorate a name ("named after", "village", …): dropped from keys.
_STOP_WORDS = frozenset(
    fold(w)
    for w in (
        "им", "имени", "атындагы", "аты", "атн", "named", "after", "the", "der", "die", "am",
        "село", "селе", "села", "айыл", "айылы", "аил", "аилы", "ayil", "ayyl", "aiyl", "ail",
        "пос", "поселок", "посёлок", "пгт", "дер", "деревня", "village", "vil",
        "город", "шаар", "шаары", "town", "кыштак", "кыштагы", "хутор",
    )
)  # fmt: skip
# One-letter prefixes of place names ("с. Терек-Суу", "п. …", "г. …"): in street names the same
# letters are initials ("С. Орозбеков көчөсү"), so they are dropped from place names only.
_PLACE_PREFIXES = frozenset({"s", "p", "d", "g"})
# Short Russian genitive endings in names after "ул./пер." ("ул. Манаса", "ул. Ленина").
_GENITIVE_ENDINGS = ("ogo", "ego", "oi", "ei", "ia", "a", "i")
# Russian adjective forms of place names ("Иссык-Кульская", "Таласская", "Кетмень-Тюбинская").
_ADJECTIVE_ENDINGS = ("inskaia", "inskii", "skaia", "skii", "skoi", "skoe", "skogo")
# Surnames (fold of -ов, -ев, -ин and their feminine forms): a street named after a person is
# written by the surname alone in Russian ("ул. Каралаева" for "Саякбай Каралаев көчөсү").
_SURNAME = re.compile(r".{3,}(ov|ev|in|ova|eva|ina)$")
# Letters next to each other on the keyboards people type on (ЙЦУКЕН and QWERTY), as skeletons.
_KEY_ROWS = ("йцукенгшщзх", "фывапролджэ", "ячсмитьбю", "qwertyuiop", "asdfghjkl", "zxcvbnm")

# A word: letters, combining marks, "?" (a letter a Windows-1251 file lost) and, after its first
# letter, the apostrophes and grave accents some systems write as part of a letter (Kazakh Latin
# 2017 "ko'c'o'su'", GOST 7.79-2000 B "ty`", Uzbek "oʻ").
_WORD_RE = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f?])(?:[^\W_]|[\u0300-\u036f?'`ʼʻ’′‘´])*\.?", re.UNICODE
)
_DIGITS_RE = re.compile(r"\d+")


def _adjacent_keys() -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for r, row in enumerate(_KEY_ROWS):
        below = _KEY_ROWS[r + 1] if r in (0, 1, 3, 4) else ""
        for c, ch in enumerate(row):
            near = [row[c + 1]] if c + 1 < len(row) else []
            near += [below[i] for i in (c - 1, c) if 0 <= i < len(below)]
            for other in near:  # on the symbols of _collapse: ш is w, ч q, ц c
                a, b = _collapse(fold(ch)), _collapse(fold(other))
                if len(a) == 1 and len(b) == 1 and a != b:
                    pairs.update({(a, b), (b, a)})
    return frozenset(pairs)


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
        ``key`` with doubled letters made single and "ng" folded to "n": equal for spellings that
        differ only in transliteration.
    genitive
        ``key`` with Russian genitive endings taken off each word.
    initials
        One-letter words (initials of given names).
    adjective
        The name without its Russian adjective ending ("Таласская" -> "talas"; "Нарынская" ->
        "nar" or "narin": every ending that fits).
    """

    key: str
    tokens: tuple[str, ...]
    kind: str
    numbers: tuple[str, ...]
    loose: str = ""
    genitive: str = ""
    initials: frozenset[str] = frozenset()
    adjective: tuple[str, ...] = ()

    @property
    def ident(self) -> str:
        """Identity of a street name for exact grouping: kind and loose key."""
        return f"{self.kind}:{self.loose}"


@lru_cache(maxsize=100_000)
def _collapse(key: str) -> str:
    # Doubled letters are a common typing variation ("Исыкколь"/"Иссык-Куль"); ң is "ng" in Latin
    # but "н" in Russian. Digraphs for one Cyrillic letter become one symbol, so a typo in "ш" is
    # one edit, not two (w and q are free: the fold takes them away).
    key = re.sub(r"([a-z])\1+", r"\1", key).replace("ng", "n")
    return key.replace("sh", "w").replace("ch", "q").replace("ts", "c")


_ADJACENT = _adjacent_keys()

_ORDINAL_RE = re.compile(
    r"(\d+)\s*-?\s*(?:й|я|ая|ый|ий|ой|го|чи|нчи|инчи|чы|ынчы|st|nd|rd|th)(?![^\W\d_])", re.UNICODE
)


def _words(text: str) -> list[str]:
    text = fix_lookalikes(text).lower()
    text = _ORDINAL_RE.sub(r"\1 ", text)  # "1-й", "2-чи" -> "1"
    # "ул.Манаса" / "Манас-көч." : dots and hyphens between words separate type words from names.
    return _WORD_RE.findall(text.replace("-", " - "))


def _initial(word: str) -> str:
    """A one-letter word ("Ч.", "Ю.", "S.") is an initial: its skeleton's first letter, so that a
    letter that folds to two ("ч" -> "ch") is still one letter, as the given name it stands for
    ("Чыңгыз" -> "chingiz") begins with it. Empty for any other word."""
    letters = word.rstrip(".")
    if len(letters) == 1 and letters.isalpha():
        return fold(letters)[:1]
    return ""


def _kind_of(word: str) -> str:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.fullmatch(word):
            return kind
    return ""


def _take_kinds(words: list[str]) -> tuple[list[str], str]:
    """Take the street-type words off both ends of a name (never all of it).

    Every type word at an end goes ("Манас көчөсү ул.", "ул. Манас көчөсү": registers often
    write the Kyrgyz and the Russian word together); the last one written after the name decides
    the kind, as Kyrgyz writes it there.
    """
    kind = ""
    words = list(words)
    for end in (-1, 0):
        while True:
            named = [i for i, w in enumerate(words) if not w[:1].isdigit()]  # "1-й пер. …"
            if len(named) < 2:
                break
            at = named[end]
            # "к." is "көчөсү" only after the name ("Манас к."); before it, it is an initial.
            k = _kind_of(words[at]) if end == -1 or words[at] != "k" else ""
            if not k:
                break
            kind = kind or k
            del words[at]
    glued = []
    for w in words:  # "Haydnstraße", "Манаскөчөсү": the type inside the word
        m = re.fullmatch(rf"(.{{3,}}?)(stras+e|str|k{_V}ch{_V}s{_V})", w)
        if m and w is words[-1]:
            kind, w = kind or "street", m.group(1)
        glued.append(w)
    return glued, kind


@lru_cache(maxsize=200_000)
def name_key(text: str, *, place: bool = False) -> NameKey:
    """Split a street or place name into its comparable key, word skeletons, kind and numbers.

    Parameters
    ----------
    text
        A name as written: "ул. Манаса", "Манас көчөсү", "1-й пер. Ленина", "Haydnstraße",
        "Manas köchösü", "Mанас көчөсy" (Latin look-alikes), "Ч?й к?ч?с?" (Windows-1251).
    place
        The name is a village's: one-letter prefixes ("с.") are dropped instead of kept as initials.

    Returns
    -------
    NameKey
    """
    words = [_initial(w) or fold(w) for w in _words(text)]
    words = [w for w in words if w and w not in _STOP_WORDS]
    if place:
        words = [w for w in words if w not in _PLACE_PREFIXES]
    kind = ""
    if not place:  # a village has no street type ("Кучу-Суу", "Ак-Текир" are names)
        words, kind = _take_kinds(words)
    tokens = [_DIGITS_RE.findall(w)[0] if w[:1].isdigit() else w for w in words]
    key = "".join(tokens)
    adjective = tuple(
        "".join(tokens[:-1]) + tokens[-1][: -len(end)]
        for end in _ADJECTIVE_ENDINGS
        if tokens and tokens[-1].endswith(end) and len(tokens[-1]) > len(end) + 1
    )
    return NameKey(
        key=key,
        tokens=tuple(tokens),
        kind=kind,
        numbers=tuple(t for t in tokens if t.isdigit()),
        loose=_collapse(key),
        genitive="".join(_strip_genitive(t) for t in tokens),
        initials=frozenset(t for t in tokens if len(t) == 1 and not t.isdigit()),
        adjective=adjective,
    )


def place_key(text: str) -> str:
    """Return the key of a village name ("с. Терек-Суу", "Терек-Суу айылы", "Terek-Suu" -> same)."""
    return name_key(text, place=True).loose


@lru_cache(maxsize=100_000)
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


@lru_cache(maxsize=100_000)
def _vowel_blind(key: str) -> str:
    # Russian writes Kyrgyz ө and ү as о, у, ё, ю or е ("Иссык-Куль", "Кетмень-Тюбе"): only "a"
    # is kept apart, so that "Талас" never meets "Телес".
    return re.sub("[eiou]+", "V", key)


def _slip(a: str, b: str) -> bool:
    """Whether two keys differ by one slip of the hand: two neighbours swapped, a letter dropped
    or doubled, or a neighbouring key typed (never for the first letter)."""
    if min(len(a), len(b)) < 4 or OSA.distance(a, b) != 1:
        return False
    if len(a) == len(b) and Levenshtein.distance(a, b) == 2:
        return True  # two neighbours swapped
    if a[0] != b[0]:
        return False
    if len(a) != len(b):
        return True  # a dropped or doubled letter
    (x, y) = next((p, q) for p, q in zip(a, b, strict=True) if p != q)
    return (x, y) in _ADJACENT or (x in "aeiou" and y in "aeiou" and "a" not in (x, y))


def _short_slip(a: str, b: str) -> bool:
    """One slip in a name of three or four letters ("Чйү" for "Чүй", "Бкай" for "Бакай").

    Short names lie one letter apart from other short names, so only the slips of the hand that
    leave the name's outline are forgiven: two neighbours swapped, a neighbouring key, or a letter
    dropped or doubled inside the name; never at its first or its last letter (a last letter
    dropped or changed often makes another word: "Тала" is not "Талас").
    """
    if not 3 <= min(len(a), len(b)) <= 4 or OSA.distance(a, b) != 1 or a[0] != b[0]:
        return False
    if len(a) == len(b):
        diff = [i for i, (p, q) in enumerate(zip(a, b, strict=True)) if p != q]
        if len(diff) == 2:  # two neighbours swapped
            return True
        i = diff[0]
        return 0 < i < len(a) - 1 and (a[i], b[i]) in _ADJACENT
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return 0 < i < len(long_) - 1


# Russian renders a Kyrgyz place name through another Turkic form or by ear ("Алатау" for Ала-Тоо,
# "Арсланбоб" for Арстанбап, "Джамбул" for Жамбыл): the vowels and the voicing of consonants are
# what differs most. Its adjective is compared on consonants alone, voiced and voiceless as one.
_DEVOICE = str.maketrans("bdgzv", "ptksf")


@lru_cache(maxsize=100_000)
def _consonants(key: str) -> str:
    skeleton_ = re.sub("[aeiou?]+", "", _collapse(key)).translate(_DEVOICE)
    return re.sub(r"([a-z])\1+", r"\1", skeleton_)


def _adjective_of(stem: str, name: str) -> bool:
    """Whether a Russian adjective's stem is the name by its consonants: all of them alike (two
    or more), or one of five or more changed ("Арсланбобская" / "Арстанбап"); the first letter
    must be alike (both vowels, or the same consonant)."""
    if not stem or not name or (stem[0] in "aeiou") != (name[0] in "aeiou"):
        return False
    cs, cn = _consonants(stem), _consonants(name)
    if len(cn) < 2 or cs[:1] != cn[:1]:
        return False
    if cs == cn:
        return True
    return len(cn) >= 5 and len(cs) == len(cn) and Levenshtein.distance(cs, cn) == 1


def _wild_score(a: str, b: str) -> float:
    """Score a key with ``?`` (a letter a Windows-1251 file could not store) against another.

    ``?`` stands most often for ө, ү or ң (97 points), else for any one letter (or a digraph
    such as č, š) that the file's code page lacks (93); at least three letters must be known.
    Returns 0 when the pattern does not fit.
    """
    if len(a.replace("?", "")) < 3:
        return 0.0
    if re.fullmatch(re.escape(a).replace(r"\?", "(?:o|u|ng|n)"), b):
        return 97.0
    if re.fullmatch(_any_letter_pattern(a), b):
        return 93.0
    return 0.0


@lru_cache(maxsize=10_000)
def _any_letter_pattern(a: str) -> re.Pattern[str]:
    """``?`` as one lost character: a letter (one or two in Latin: ç is ch), or nothing where
    the lost character was a combining mark: ALA-LC's dot of u̇ (after u) and its tie of n͡g,
    t͡s, i͡u, i͡a (between those letters)."""
    parts = []
    for i, c in enumerate(a):
        if c != "?":
            parts.append(re.escape(c))
            continue
        pair = a[i - 1 : i] + a[i + 1 : i + 2]
        mark = a[i - 1 : i] == "u" or pair in ("ng", "ts", "iu", "ia")
        parts.append("[a-z]{0,2}" if mark else "[a-z]{1,2}")
    return re.compile("".join(parts))


def _words_differ(ta: tuple[str, ...], tb: tuple[str, ...]) -> bool:
    """Whether one name adds or drops a whole word of the other ("Жибек" / "Жибек Жолу")."""
    wa = [t for t in ta if len(t) > 1 and not t.isdigit()]
    wb = [t for t in tb if len(t) > 1 and not t.isdigit()]
    if len(wa) == len(wb) or not wa or not wb:
        return False
    ja, jb = "".join(wa), "".join(wb)
    if OSA.distance(_collapse(ja), _collapse(jb)) <= 1 and OSA.distance(ja, jb) <= 1:
        # The same letters split differently ("Кызылжар" / "Кызыл-Жар"), perhaps with one slip;
        # both spellings are compared, as collapsing doubled letters can hide a short word put
        # before another ("Ак Кызыл-Жар": akkizil -> akizil).
        return False
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    return all(
        max(
            max(fuzz.ratio(s, w), fuzz.ratio(_strip_genitive(s), _strip_genitive(w))) for w in long_
        )
        >= 75
        for s in short
    )


def _surname_only(ta: tuple[str, ...], tb: tuple[str, ...]) -> bool:
    """ "ул. Каралаева" for "Саякбай Каралаев көчөсү": the surname alone, in the genitive."""
    wa = [t for t in ta if len(t) > 1]
    wb = [t for t in tb if len(t) > 1]
    if len(wa) != 1 or len(wb) != 2 or not _SURNAME.match(wb[1]):
        return False
    return fuzz.ratio(_collapse(_strip_genitive(wa[0])), _collapse(_strip_genitive(wb[1]))) >= 90


def _extended(ka: str, kb: str) -> bool:
    """The written name ``ka`` is the map's ``kb`` (or its stem without a Russian genitive
    ending) with three or more letters added, or ``kb`` is ``ka`` so extended: another name
    ("Семетейкан" is not "Семетей", nor "ул. Семетея")."""
    # ң is "ng" or "n": compare both ways of writing it.
    fa, fb = {ka, ka.replace("ng", "n")}, {kb, kb.replace("ng", "n")}
    if fa & fb:
        return False
    # The map's genitive stem may be extended; a written name's stem is not used, as a slip
    # at its end ("Жамбыа" for "Жамбыла") would look like one.
    pairs = ((fa, fb | {_strip_genitive(k) for k in fb}), (fb, fa))
    for longs, shorts in pairs:
        for long_ in longs:
            for short in shorts:
                tail = long_[len(short) :]
                if long_.startswith(short) and len(tail) >= 3 and _new_word(tail):
                    return True
    return False


_TAILS = ("ogo", "ego", "ovoi", "evoi", "skaia", "skii", "skoi", "naia", "nii")


def _new_word(tail: str) -> bool:
    """Whether letters added to a name make another word: not vowels alone ("Дехканская" /
    "Дехканскя"), nor a Russian inflection."""
    return tail not in _TAILS and any(c not in "aeiou" for c in tail)


def _base_score(a: NameKey, b: NameKey, ta: tuple[str, ...], tb: tuple[str, ...]) -> float:
    ka, kb = "".join(ta), "".join(tb)
    penalty = 0.0
    if "?" in ka:
        if wild := _wild_score(ka, kb):
            return wild
        # Not the pattern: compare with the likeliest letter, and count the doubt.
        ka, ta, penalty = ka.replace("?", "o"), tuple(t.replace("?", "o") for t in ta), 5.0
    la, lb = _collapse(ka), _collapse(kb)
    # "Таласская" for "Талас", "Кетмень-Тюбинская" for "Кетмен-Төбө"
    targets = (_vowel_blind(lb), _vowel_blind(lb.rstrip("aeiou")))
    if any(_vowel_blind(_collapse(adj)) in targets for adj in a.adjective):
        return 90.0
    if any(_adjective_of(adj, kb) for adj in a.adjective):
        return 88.0
    if _extended(ka, kb):
        return 0.0
    score = max(fuzz.ratio(ka, kb), fuzz.ratio(la, lb))
    if score < 100:
        ga = "".join(_strip_genitive(t) for t in ta)
        gb = "".join(_strip_genitive(t) for t in tb)
        score = max(score, fuzz.ratio(ga, gb) - 1)
        if len(ta) > 1 and len(tb) > 1:  # "1-й пер. Ленина" / "пер. Ленина 1-й"
            score = max(score, fuzz.token_sort_ratio(" ".join(ta), " ".join(tb)) - 1)
        if _slip(la, lb) or _slip(ga, gb) or _slip(ka, kb):
            score = max(score, 88.0)
        if _short_slip(la, lb) or _short_slip(ka, kb):  # the short names' own minimum (92)
            score = max(score, 92.0)
        if len(_vowel_blind(lb).replace("V", "")) >= 3 and _vowel_blind(la) == _vowel_blind(lb):
            score = max(score, 88.0)
    return score - penalty


_QUICK_CUTOFF = 70.0


def _quick(a: NameKey, b: NameKey) -> bool:
    """Whether the pair may be ruled out by the ratio of its loose keys alone."""
    if a.adjective or a.initials or "?" in a.key or b.initials:
        return False
    return not (len(a.tokens) == 1 and len(b.tokens) == 2 and _SURNAME.match(b.tokens[1]))


class KeyIndex:
    """Name keys laid out for a fast first pass over many candidates.

    `shortlist` runs rapidfuzz over all loose keys at once and leaves out only pairs that
    `name_similarity` would rule out by the same cut-off, so scoring the shortlist gives the
    same best matches as scoring every key.

    Parameters
    ----------
    keys
        The candidates' keys, in order.
    """

    def __init__(self, keys: Sequence[NameKey]) -> None:
        self.keys = tuple(keys)
        self.loose = tuple(k.loose for k in self.keys)
        self.strict = tuple(k.key for k in self.keys)
        self.with_initials = frozenset(i for i, k in enumerate(self.keys) if k.initials)
        self.person = frozenset(
            i for i, k in enumerate(self.keys) if len(k.tokens) == 2 and _SURNAME.match(k.tokens[1])
        )

    def shortlist(self, query: NameKey) -> list[int]:
        """Positions of the keys that `name_similarity` may score above 0 against ``query``."""
        if query.adjective or query.initials or "?" in query.key:
            return list(range(len(self.keys)))
        keep = set(self.with_initials)
        for q, keys in ((query.loose, self.loose), (query.key, self.strict)):
            near = process.extract(
                q, keys, scorer=fuzz.ratio, score_cutoff=_QUICK_CUTOFF, limit=None
            )
            keep.update(i for _, _, i in near)
        if len(query.tokens) == 1:
            keep |= self.person
        return sorted(keep)


def name_similarity(a: NameKey, b: NameKey) -> float:
    """Score how likely two names denote the same street or place (0-100).

    Numbers in the names must agree ("1-й пер." is never "2-й пер."); a name that adds or drops a
    whole word of the other, or adds three or more letters to it, is another street (0); a
    different written kind ("ул." vs "пер.") costs 6 points, enough to prefer the right kind
    where both exist; Russian genitive and adjective forms, surname-only forms, given names
    abbreviated to initials, one slip of the hand and ``?`` for a letter a Windows-1251 file could
    not store are forgiven.
    """
    if not a.key or not b.key or a.numbers != b.numbers:
        return 0.0
    ta, tb = a.tokens, b.tokens
    # Most pairs are unrelated names: two cheap ratios rule them out before the rules below
    # (every rule that can raise a score to a match keeps the loose or the strict keys above this
    # cut-off, except the wildcard, adjective, initials and surname-only forms, which are exempt).
    if (
        _quick(a, b)
        and not fuzz.ratio(a.loose, b.loose, score_cutoff=_QUICK_CUTOFF)
        and not fuzz.ratio(a.key, b.key, score_cutoff=_QUICK_CUTOFF)
    ):
        return 0.0
    if a.initials or b.initials:
        ta = _initials_dropped(ta, tb)
        tb = _initials_dropped(tb, ta)
        ta = tuple(t for t in ta if len(t) > 1 or t.isdigit()) or ta
        tb = tuple(t for t in tb if len(t) > 1 or t.isdigit()) or tb
    if _surname_only(ta, tb):
        score = 92.0
    elif _words_differ(ta, tb):
        return 0.0
    else:
        score = _base_score(a, b, ta, tb)
    if a.kind and b.kind and a.kind != b.kind:
        score -= 6
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
