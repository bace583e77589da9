"""Names of the synthetic area: streets that never run out, heads of family, transliteration.

A village draws its street names from a pool of 38 common Kyrgyz street names with their Russian
forms, shuffled by the village's own random stream. A town (or a village made many times larger)
needs more: when the pool is empty it is refilled with the same names numbered ("2-Манас көчөсү",
"2-я улица Манаса"), then numbered 3, and so on, as towns number their streets; so a name never
runs out and no two streets of one pool share a name.

The generator keeps its own transliteration table (``translit``) on purpose: test data must not share
code with the geocoder it tests (``routing.normalize`` has the product's one transliteration).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AIMAK_KY",
    "OLD_STREETS",
    "PLAIN",
    "STREET_NAMES",
    "NamePool",
    "StreetName",
    "head_name",
    "members",
    "translit",
    "typo",
]

# Kyrgyz street name (without "көчөсү"), Russian official form, Russian bare form (as typed after "ул.").
STREET_NAMES: tuple[tuple[str, str, str], ...] = (
    ("Манас", "улица Манаса", "Манаса"),
    ("Токтогул", "улица Токтогула", "Токтогула"),
    ("Жеңиш", "улица Победы", "Победы"),
    ("Ала-Тоо", "улица Ала-Тоо", "Ала-Тоо"),
    ("Чүй", "улица Чуй", "Чуй"),
    ("Айтматов", "улица Айтматова", "Айтматова"),
    ("Курманжан Датка", "улица Курманжан Датки", "Курманжан Датки"),
    ("Бейшеналиева", "улица Бейшеналиевой", "Бейшеналиевой"),
    ("Үркүнчү", "улица Уркунчу", "Уркунчу"),
    ("Мектеп", "Школьная улица", "Школьная"),
    ("Ысык-Көл", "улица Иссык-Куль", "Иссык-Куль"),
    ("Жибек Жолу", "улица Жибек Жолу", "Жибек Жолу"),
    ("Нарын", "улица Нарын", "Нарын"),
    ("Талас", "улица Талас", "Талас"),
    ("Саякбай Каралаев", "улица Саякбая Каралаева", "Саякбая Каралаева"),
    ("Молдо Кылыч", "улица Молдо Кылыча", "Молдо Кылыча"),
    ("Жусуп Баласагын", "улица Жусупа Баласагына", "Жусупа Баласагына"),
    ("Тоголок Молдо", "улица Тоголок Молдо", "Тоголок Молдо"),
    ("Достук", "улица Дружбы", "Дружбы"),
    ("Бакай", "улица Бакая", "Бакая"),
    ("Бөкөнбаев", "улица Боконбаева", "Боконбаева"),
    ("Алыкул Осмонов", "улица Алыкула Осмонова", "Алыкула Осмонова"),
    ("Эркиндик", "улица Свободы", "Свободы"),
    ("Дыйкан", "Дехканская улица", "Дехканская"),
    ("Суусамыр", "улица Суусамыр", "Суусамыр"),
    ("Кетмен-Төбө", "улица Кетмень-Тюбе", "Кетмень-Тюбе"),
    ("Жаштык", "Молодёжная улица", "Молодёжная"),
    ("Гагарин", "улица Гагарина", "Гагарина"),
    ("Жамбыл", "улица Жамбыла", "Жамбыла"),
    ("Семетей", "улица Семетея", "Семетея"),
    ("Алмалуу", "улица Алмалуу", "Алмалуу"),
    ("Бирлик", "улица Единства", "Единства"),
    ("Ынтымак", "улица Согласия", "Согласия"),
    ("Байтик Баатыр", "улица Байтик Баатыра", "Байтик Баатыра"),
    ("Жеңижок", "улица Женижока", "Женижока"),
    ("Барпы", "улица Барпы", "Барпы"),
    ("Арстанбап", "улица Арстанбап", "Арстанбап"),
    ("Кызыл-Жар", "улица Кызыл-Жар", "Кызыл-Жар"),
)
# Soviet-era names still typed by some, absent from the map: such rows are not locatable.
OLD_STREETS: tuple[str, ...] = (
    "ул. Ленина",
    "Ленина",
    "Кирова көчөсү",
    "ул. Советская",
    "Первомайская",
    "Октябрьская ул.",
    "ул. Колхозная",
    "8 Марта",
    "Фрунзе",
)
AIMAK_KY = {
    "Ketmen-Dobo": ("Кетмен-Дөбө", "Кетмень-Тюбинский"),
    "Cholpon-Ata": ("Чолпон-Ата", "Чолпон-Атинский"),
}

_MALE = [
    "Азамат",
    "Айбек",
    "Алмаз",
    "Асан",
    "Бакыт",
    "Бекболот",
    "Болот",
    "Данияр",
    "Жаныбек",
    "Жолдош",
    "Замир",
    "Исмаил",
    "Канат",
    "Кубанычбек",
    "Кылычбек",
    "Мирлан",
    "Мурат",
    "Нурбек",
    "Нурлан",
    "Өмүрбек",
    "Самат",
    "Садыр",
    "Сүйүнбек",
    "Талант",
    "Темирлан",
    "Токтосун",
    "Улан",
    "Урмат",
    "Эрлан",
    "Эркин",
    "Эсенбек",
    "Абдыкерим",
    "Абдырахман",
    "Жумабек",
    "Медер",
    "Бактыбек",
    "Кенжебек",
    "Калыс",
    "Чыңгыз",
    "Тилек",
    "Үсөн",
    "Осмон",
    "Мамыт",
    "Жээнбек",
    "Сартбай",
    "Төлөн",
    "Бейшен",
    "Ормон",
    "Таалай",
    "Жусуп",
]
_FEMALE = [
    "Айгүл",
    "Айжан",
    "Айнура",
    "Асел",
    "Бактыгүл",
    "Бермет",
    "Бүбүсара",
    "Гүлнара",
    "Гүлмира",
    "Динара",
    "Жазгүл",
    "Жылдыз",
    "Зарина",
    "Зуура",
    "Калыйча",
    "Назгүл",
    "Нургүл",
    "Роза",
    "Салтанат",
    "Чолпон",
    "Чынара",
    "Үмүт",
    "Эльмира",
    "Мээрим",
    "Анара",
    "Мира",
    "Таттыбүбү",
    "Токтокан",
    "Сайкал",
    "Айпери",
]

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
PLAIN = str.maketrans({"ө": "о", "ү": "у", "ң": "н", "Ө": "О", "Ү": "У", "Ң": "Н"})


@dataclass
class StreetName:
    """A street's Kyrgyz core name and Russian forms (official and as typed after "ул.")."""

    ky_core: str
    ru_full: str
    ru_core: str
    lane: bool = False  # "тыкыр" / "переулок": a short dead-end or single-block lane

    @property
    def ky(self) -> str:
        """The Kyrgyz name as on the map, e.g. "Манас көчөсү"."""
        return f"{self.ky_core} {'тыкыры' if self.lane else 'көчөсү'}"

    def as_lane(self) -> StreetName:
        """The same name as a lane ("тыкыр" / "переулок")."""
        return StreetName(self.ky_core, f"переулок {self.ru_core}", self.ru_core, lane=True)

    def numbered(self, number: int) -> StreetName:
        """The same name numbered, e.g. "2-Манас көчөсү", "2-я улица Манаса"."""
        return StreetName(
            f"{number}-{self.ky_core}", f"{number}-я {self.ru_full}", f"{number}-я {self.ru_core}"
        )


def base_names() -> list[StreetName]:
    """The 38 street names in table order."""
    return [StreetName(k, r, b) for k, r, b in STREET_NAMES]


class NamePool:
    """Street names to take from, shuffled; refilled with numbered names when empty.

    Parameters
    ----------
    names
        The first generation of names.
    rng
        The stream that shuffles this and every later generation.
    """

    def __init__(self, names: Sequence[StreetName], rng: random.Random) -> None:
        self._base = list(names)
        self._rng = rng
        self._generation = 1
        self._pool = list(names)
        rng.shuffle(self._pool)

    def take(self) -> StreetName:
        """The next name (a numbered generation starts when the pool is empty)."""
        if not self._pool:
            self._generation += 1
            self._pool = [n.numbered(self._generation) for n in self._base]
            self._rng.shuffle(self._pool)
        return self._pool.pop()

    def take_lane(self, name: StreetName) -> StreetName:
        """``name`` as a lane, or a pooled name that reads as one ("улица X" -> "переулок X")."""
        genitive = [k for k, nm in enumerate(self._pool) if nm.ru_full.startswith("улица ")]
        if name.ru_full.startswith("улица "):
            return name.as_lane()
        if genitive:
            self._pool.append(name)
            return self._pool.pop(genitive[-1]).as_lane()
        return name


def translit(text: str) -> str:
    """Cyrillic to Latin with the generator's own table (see the module docstring)."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _TRANSLIT:
            lat = _TRANSLIT[low]
            out.append(lat.capitalize() if ch != low else lat)
        else:
            out.append(ch)
    return "".join(out)


def typo(text: str, rng: random.Random) -> str:
    """Drop one letter or swap two neighbours, never the first letter."""
    idx = [k for k in range(1, len(text)) if text[k].isalpha() and text[k - 1].isalpha()]
    if not idx:
        return text
    k = rng.choice(idx)
    if (
        rng.random() < 0.5
        or k + 1 >= len(text)
        or not text[k + 1].isalpha()
        or text[k] == text[k + 1]
    ):
        return text[:k] + text[k + 1 :]
    return text[:k] + text[k + 1] + text[k] + text[k + 2 :]


def head_name(rng: random.Random) -> str:
    """An invented head of family, written as clerks write names."""
    female = rng.random() < 0.22
    first = rng.choice(_FEMALE if female else _MALE)
    father = rng.choice(_MALE)
    root = rng.choice(_MALE)
    if root.endswith("й"):
        surname = root[:-1] + "ев"
    elif root[-1] in "жшчщц" or root[-1] in "аыуэие":
        surname = root + "ев"
    else:
        surname = root + "ов"
    suffix_m = "евич" if father[-1] in "жшчщцй" else "ович"
    patronymic = (father[:-1] if father.endswith("й") else father) + (
        ("евна" if suffix_m == "евич" else "овна") if female else suffix_m
    )
    if female:
        surname += "а"
    roll = rng.random()
    if roll < 0.55:
        return f"{surname} {first} {patronymic}"
    if roll < 0.75:
        return f"{surname} {first}"
    if roll < 0.9:
        return f"{first} {father} {'кызы' if female else 'уулу'}"
    return f"{surname} {first[0]}.{patronymic[0]}."


def members(rng: random.Random) -> int:
    """1 + Poisson(3.7), at most 11: mean about 4.7."""
    while True:
        limit, k, p = math.exp(-3.7), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        if k + 1 <= 11:
            return k + 1
