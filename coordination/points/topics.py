"""The 18 service topics on which the points advise (coordination/data/service_topics.csv)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import get_locale

DATA = Path(__file__).resolve().parent.parent / "data" / "service_topics.csv"


@dataclass(frozen=True)
class Topic:
    code: str
    name_sl: str
    name_en: str

    @property
    def name(self) -> str:
        locale = get_locale()
        return self.name_en if locale is not None and locale.language == "en" else self.name_sl


@cache
def topics() -> tuple[Topic, ...]:
    with open(DATA, encoding="utf-8", newline="") as fh:
        return tuple(Topic(row["code"], row["name_sl"], row["name_en"]) for row in csv.DictReader(fh))


def codes() -> tuple[str, ...]:
    return tuple(t.code for t in topics())


def by_code() -> dict[str, Topic]:
    return {t.code: t for t in topics()}


def label(code: str) -> str:
    topic = by_code().get(code)
    return topic.name if topic else code
