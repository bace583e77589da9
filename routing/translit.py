"""Cyrillic (Kyrgyz and Russian) to Latin: the documented systems, and one fold for matching.

One module for every place the product transliterates:

- `transliterate` writes a name in Latin by one of the documented systems in `SYSTEMS` (file
  names of the exports use ``"bgn_pcgn_ru"``);
- `fold` reduces a name in *any* of those systems, in Cyrillic, or typed with look-alike letters
  of the other script, to one Latin skeleton for matching (the geocoder's keys are built on it).

The systems (tables checked against the UNGEGN Working Group on Romanization Systems report on
Kyrgyz, v2.2, 2003, and the BGN/PCGN Kyrgyz 1979 and Russian 1947 tables):

``bgn_pcgn_ky``  BGN/PCGN 1979 for Kyrgyz, the system the Kyrgyz government adopted for
                 geographical names (decree No. 467 of 19 August 2008): ж j, ң ng, ө ö, ү ü, х kh.
``bgn_pcgn_ru``  BGN/PCGN for Russian (ж zh, щ shch), Kyrgyz letters as in ``bgn_pcgn_ky``; the
                 positional "ye" of BGN/PCGN is not applied (both spellings fold alike).
``iso9``         ISO 9:1995 (ж ž, й j, ң ņ, ө ô, ү ù, х h, ц c, ч č, ш š, щ ŝ, ю û, я â).
``ala_lc``       ALA-LC (ж zh, й ĭ, ң n͡g, ө ȯ, ү u̇, ю i͡u, я i͡a).
``passport``     ICAO Doc 9303 as printed in machine-readable passports (ж zh, й i, ы y,
                 ъ ie, ю iu, я ia); ң n, ө o, ү u as Kyrgyz passports write them (an assumption
                 from passport spellings seen in print: ICAO defines no Kyrgyz letters).
``turkic``       The Common Turkic alphabet proposed for Kyrgyz (ж c, ч ç, ш ş, ң ñ, ы ı, х h).
``informal``     What people type without a Kyrgyz keyboard: ж j, ң n, ө o, ү u, х h, ы y.

The fold (`fold`) undoes what these systems and typing habits disagree on: ö/oe/o/ô/ȯ, ü/ue/u/ù;
ng/ñ/ŋ/ņ/n (kept as "ng" here, folded in the loose keys of `routing.normalize`); j/zh/dzh/dj/ž for ж; ch/č/ç and sh/š/ş; kh/h/x; q/k; y/i/ı/ы/й/j-before-a-consonant; Russian ю
after a consonant (Кюнгёй for Күңгөй) as u; ё as е, as Russian writes it; ъ and ь dropped. A question mark inside a word (what
Excel writes into a Windows-1251 file for ө, ү and ң) is kept as ``?``: an unknown letter.

The synthetic data generator (`routing.synthetic`) keeps its own small table on purpose, so that
the test data does not share code with what it tests.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

__all__ = ["SYSTEMS", "fix_lookalikes", "fold", "readings", "transliterate"]

# Letters every system writes alike.
_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ъ": "", "ь": "", "э": "e",
}  # fmt: skip


def _system(**letters: str) -> dict[str, str]:
    table = dict(_COMMON)
    table.update({_KEYS[k]: v for k, v in letters.items()})
    return table


# ASCII names for the letters that differ between systems (keyword arguments must be ASCII).
_KEYS = {
    "yo": "ё", "zh": "ж", "y": "й", "ng": "ң", "oe": "ө", "ue": "ү", "kh": "х", "ts": "ц",
    "ch": "ч", "sh": "ш", "shch": "щ", "yy": "ы", "yu": "ю", "ya": "я", "e": "э", "hard": "ъ",
    "i": "и",
}  # fmt: skip

SYSTEMS: dict[str, dict[str, str]] = {
    "bgn_pcgn_ky": _system(
        yo="yo", zh="j", y="y", ng="ng", oe="ö", ue="ü", kh="kh", ts="ts", ch="ch", sh="sh",
        shch="shch", yy="y", yu="yu", ya="ya",
    ),
    "bgn_pcgn_ru": _system(
        yo="yo", zh="zh", y="y", ng="ng", oe="ö", ue="ü", kh="kh", ts="ts", ch="ch", sh="sh",
        shch="shch", yy="y", yu="yu", ya="ya",
    ),
    "iso9": _system(
        yo="ë", zh="ž", y="j", ng="ņ", oe="ô", ue="ù", kh="h", ts="c", ch="č", sh="š", shch="ŝ",
        yy="y", yu="û", ya="â", e="è",
    ),
    "ala_lc": _system(
        yo="ë", zh="zh", y="ĭ", ng="n͡g", oe="ȯ", ue="u̇", kh="kh", ts="t͡s", ch="ch", sh="sh",
        shch="shch", yy="y", yu="i͡u", ya="i͡a", e="ė",
    ),
    "passport": _system(
        yo="e", zh="zh", y="i", ng="n", oe="o", ue="u", kh="kh", ts="ts", ch="ch", sh="sh",
        shch="shch", yy="y", yu="iu", ya="ia", hard="ie",
    ),
    "turkic": _system(
        yo="yo", zh="c", y="y", ng="ñ", oe="ö", ue="ü", kh="h", ts="ts", ch="ç", sh="ş",
        shch="şç", yy="ı", yu="yu", ya="ya", i="i",
    ),
    "informal": _system(
        yo="yo", zh="j", y="y", ng="n", oe="o", ue="u", kh="h", ts="ts", ch="ch", sh="sh",
        shch="shch", yy="y", yu="yu", ya="ya",
    ),
}  # fmt: skip


def transliterate(text: str, *, system: str = "bgn_pcgn_ru") -> str:
    """Write Cyrillic text in Latin letters by one documented system.

    Parameters
    ----------
    text
        Any text; letters outside the system's table are kept as they are.
    system
        A key of `SYSTEMS`.

    Returns
    -------
    str
        The text in Latin letters; a capital stays a capital ("Чүй" -> "Chüy").

    Raises
    ------
    ValueError
        For an unknown system.

    Examples
    --------
    >>> transliterate("Жибек Жолу көчөсү", system="bgn_pcgn_ky")
    'Jibek Jolu köchösü'
    """
    table = SYSTEMS.get(system)
    if table is None:
        msg = f"unknown transliteration system {system!r}; known: {', '.join(SYSTEMS)}"
        raise ValueError(msg)
    out = []
    for ch in unicodedata.normalize("NFC", text):
        low = ch.lower()
        lat = table.get(low)
        if lat is None:
            out.append(ch)
        elif ch != low:
            out.append(lat[:1].upper() + lat[1:])
        else:
            out.append(lat)
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# look-alike letters: a Latin letter inside a Cyrillic word (or the reverse) is the other script's
# letter of the same shape, typed on the wrong keyboard layout or pasted.

_LAT_TO_CYR = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "o": "о", "p": "р",
        "t": "т", "x": "х", "y": "у", "ö": "ө", "ü": "ү", "ɵ": "ө", "n": "п", "u": "и", "r": "г",
        "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
        "T": "Т", "X": "Х", "Y": "Ү", "Ö": "Ө", "Ü": "Ү",
    }
)  # fmt: skip
_CYR_TO_LAT = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "е": "e", "н": "h", "к": "k", "м": "m", "о": "o", "р": "p",
        "т": "t", "х": "x", "у": "y", "ү": "y", "ө": "ö", "и": "u", "п": "n", "г": "r", "і": "i",
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P",
        "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ө": "Ö", "І": "I",
    }
)  # fmt: skip
# Kyrgyz letters typed with similar letters of other alphabets (barred o, fita, n with descender).
_KY_LOOKALIKES = str.maketrans(
    {"ɵ": "ө", "ѳ": "ө", "Ɵ": "Ө", "Ѳ": "Ө", "ҥ": "ң", "ӊ": "ң", "Ҥ": "Ң", "Ӊ": "Ң", "ӧ": "ө",
     "ӱ": "ү", "Ӧ": "Ө", "Ӱ": "Ү", "ұ": "ү", "Ұ": "Ү"}
)  # fmt: skip
# Letters, combining marks (ALA-LC's u̇, t͡s) and "?" (a letter a Windows-1251 file lost).
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f?])+", re.UNICODE)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _own_letters(text: str) -> tuple[int, int]:
    """Letters with no look-alike in the other script: (Cyrillic, Latin)."""
    cyr = sum(1 for c in text if _is_cyrillic(c) and ord(c) not in _CYR_TO_LAT)
    lat = sum(1 for c in text if c.isalpha() and not _is_cyrillic(c) and ord(c) not in _LAT_TO_CYR)
    return cyr, lat


def _fix_word(word: str, phrase_cyrillic: bool) -> str:
    cyr = sum(1 for c in word if _is_cyrillic(c))
    lat = sum(1 for c in word if c.isalpha() and not _is_cyrillic(c))
    if not (cyr and lat):
        return word
    # Letters with no look-alike decide ("Куlуch" is Latin: l); else the rest of the phrase.
    own_cyr, own_lat = _own_letters(word)
    to_cyr = own_cyr > own_lat or (own_cyr == own_lat and phrase_cyrillic)
    return word.translate(_LAT_TO_CYR if to_cyr else _CYR_TO_LAT)


def fix_lookalikes(text: str) -> str:
    """Write each word in one script: letters of the other script that look alike are replaced.

    A word with more Cyrillic than Latin letters gets Cyrillic letters for its Latin look-alikes
    ("Mанас" with a Latin M -> "Манас"; "көчөсy" with a Latin y -> "көчөсү"), and the reverse
    ("Мanas" -> "Manas"). Words in one script are left alone.
    """
    text = unicodedata.normalize("NFC", text).translate(_KY_LOOKALIKES)
    own_cyr, own_lat = _own_letters(text)
    phrase_cyrillic = own_cyr > own_lat or (
        own_cyr == own_lat
        and sum(map(_is_cyrillic, text)) >= sum(c.isascii() and c.isalpha() for c in text)
    )
    return _WORD.sub(lambda m: _fix_word(m.group(0), phrase_cyrillic), text)


# --------------------------------------------------------------------------------------------------
# the fold

_FOLD_CYR = {
    **_COMMON,
    "ё": "e", "ж": "j", "й": "i", "ң": "ng", "ө": "o", "ү": "u", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ы": "i", "ю": "iu", "я": "ia", "и": "i",
    "і": "i", "ї": "i", "є": "e", "ў": "u", "ғ": "g", "қ": "k", "һ": "h", "ә": "a",
}  # fmt: skip
# Latin letters whose marks carry meaning in some system (the rest lose their marks by NFKD).
_FOLD_LATIN = {
    "ž": "j", "č": "ch", "ç": "ch", "š": "sh", "ş": "sh", "ŝ": "shch", "ı": "i", "ğ": "g",
    "ß": "ss", "ë": "e", "û": "iu", "â": "ia", "ĭ": "i", "ñ": "ng", "ŋ": "ng", "ņ": "ng",
    "ä": "a", "ɵ": "o",
    # Kazakh Latin of 2018 writes у as ý (ó ө, ú ү and ń ң lose their accents as other marks do)
    "ý": "u",
}  # fmt: skip
# щ stays "shch" (as BGN/PCGN and ICAO write it): "шч" ("Кушчу", "Ашчы") is the same letters.
# Ordered rewrites on the Latin string (variants of one sound to one spelling).
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("shh", "shch"),  # GOST 7.79-2000 B щ
    ("cz", "ts"),  # GOST 7.79-2000 B ц
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("x", "h"),
    ("tz", "ts"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("q", "k"),
    ("oe", "o"),
    ("ue", "u"),
    ("y", "i"),
)
_VOWELS = "aeiou"
# ISO 9 writes й as j: before a consonant or at the end of a word j is й, not ж (folded as i).
_J_AS_Y = re.compile(r"(?<=[aeiou])j(?=[^aeiou?]|$)")
# Russian writes Kyrgyz ү after a consonant as ю (Күңгөй -> Кюнгёй, Төбө -> Тюбе).
_SOFT_VOWEL = re.compile(r"(?<=[bcdfghjklmnprstvz])i(?=[ou])")
# (ISO 9 writes ц as c and BGN/PCGN as ts: the loose keys of routing.normalize fold both to c. The
# Common Turkic c for ж is left to the fuzzy match: c is a German and English letter too.)
_LONE_QUESTION = re.compile(r"(?<![a-z?])\?+(?![a-z?])")
# Marks written after a letter to make another one: the Kazakh Latin alphabet of 2017 (c' ч,
# s' ш, o' ө, u' ү, n' ң), GOST 7.79-2000 system B (y` ы, o` ө, n` ң) and Uzbek Latin (oʻ, gʻ).
# Only c' and s' change the sound (ч, ш); after any other letter the mark is dropped.
_MARKS = "'`ʼʻ’′‘´"
_MARKED_SIBILANT = re.compile(rf"([cs])[{_MARKS}]")
# "Volapuk": 4 for ч in Latin text typed without a Cyrillic keyboard ("ko4osu", "4olpon"), read
# as a letter only next to a Latin letter (after one, or before a vowel): "4-мкр" stays a number.
_FOUR_AS_CH = re.compile(r"(?<=[a-z])4(?!\d)|(?<![\d])4(?=[aeiouy])")


def _fold_char(ch: str) -> str:
    if ch in _FOLD_CYR:
        return _FOLD_CYR[ch]
    if ch in _FOLD_LATIN:
        return _FOLD_LATIN[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Return the Latin skeleton of a word or phrase for matching (letters, digits and ``?``).

    Every documented system of `SYSTEMS`, the Cyrillic original, look-alike letters of the other
    script and the common typing variants give one skeleton, so that matching compares sounds,
    not spellings.

    Examples
    --------
    >>> fold("Күңгөй") == fold("Küñgöy") == fold("Kungoey".replace("ng", "ngg")) == fold("Kюңгөй")
    True
    >>> fold("Жибек Жолу") == fold("Zhibek Zholu") == fold("Dzhibek Dzholu") == fold("Jibek Jolu")
    True
    """
    low = fix_lookalikes(text).lower()
    if any(c in _MARKS for c in low):
        low = _MARKED_SIBILANT.sub(r"\1h", low)
    latin = "".join(_fold_char(c) for c in low)
    if "4" in latin:
        latin = _FOUR_AS_CH.sub("ch", latin)
    latin = latin.strip()
    # A question mark is an unknown letter only next to a letter ("Ч?й", "?рк?нч?").
    latin = _LONE_QUESTION.sub(" ", latin)
    latin = re.sub(r"[^a-z0-9?]+", "", latin)
    for old, new in _LATIN_RULES:
        latin = latin.replace(old, new)
    latin = _J_AS_Y.sub("i", latin)
    return _SOFT_VOWEL.sub("", latin)


# --------------------------------------------------------------------------------------------------
# other readings of an ambiguous spelling, tried when the fold's own reading finds nothing

# The keys of the Russian ЙЦУКЕН layout and what the same keys type on a QWERTY layout: a name
# typed while the wrong layout was on ("Vfyfc" for "Манас", the case Punto Switcher fixes).
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбю.ёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
_WRONG_LAYOUT = str.maketrans(_QWERTY, _JCUKEN)
# A Latin c that is no digraph (ch, cz, ck): ц in ISO 9 (the fold's reading), ч in Turkish typed
# without its letters (ç -> c) and in the Kazakh Latin of 2017, ж in Turkish and Azerbaijani.
_LONE_C = re.compile(rf"c(?![hzk{_MARKS}])", re.IGNORECASE)
_C_READINGS = ("ç", "dj")
_MAX_LONE_C = 3  # 2**3 readings at most
_Y_MARKED = re.compile(r"[yY]['’ʼ]")


def readings(text: str) -> tuple[str, ...]:
    """Other ways to read a name whose spelling is ambiguous, likeliest first.

    `fold` gives every spelling one reading; a few habits write letters that the documented
    systems read otherwise, so a name that matches nothing is tried again as:

    - typed with the wrong keyboard layout: Latin keys of a name typed on the Russian layout
      ("Vfyfc" -> "Манас"; only for text of Latin letters and the punctuation on those keys);
    - a lone Latin ``c`` read as ч (Turkish without its letters, Kazakh Latin 2017) or as ж
      (Turkish, Azerbaijani): each ``c`` either way, for at most three of them;
    - ``w`` read as ш ("volapuk": Russian typed on a phone), where the fold reads v;
    - ``y'`` read as у (the Kazakh Latin alphabet of 2017), where the fold reads ы as GOST
      7.79-2000 B writes it (``y```, also typed with an apostrophe).

    Parameters
    ----------
    text
        A name as written.

    Returns
    -------
    tuple of str
        The other readings (may be empty); the caller scores each as a name.

    Examples
    --------
    >>> readings("Vfyfc")[0]
    'Манас'
    >>> "Djambyl" in readings("Cambyl")
    True
    """
    out: list[str] = []
    if text.isascii() and any(c.isalpha() for c in text):
        layout = text.translate(_WRONG_LAYOUT)
        if layout != text:
            out.append(layout)
    spots = [m.start() for m in _LONE_C.finditer(text)]
    if 0 < len(spots) <= _MAX_LONE_C:
        for choice in itertools.product(("c", *_C_READINGS), repeat=len(spots)):
            if all(c == "c" for c in choice):
                continue
            chars = list(text)
            for i, c in zip(spots, choice, strict=True):
                chars[i] = c[:1].upper() + c[1:] if text[i].isupper() else c
            out.append("".join(chars))
    if "w" in text.lower() and text.isascii():
        out.append(text.replace("w", "sh").replace("W", "Sh"))
    if _Y_MARKED.search(text):  # Kazakh Latin 2017: y' is у (the fold reads y as ы)
        out.append(_Y_MARKED.sub(lambda m: "U" if m.group(0)[0] == "Y" else "u", text))
    return tuple(dict.fromkeys(out))
