"""Two texts side by side with the changes marked: removed words in <del> on the old side, added
words in <ins> on the new side.

Lines are matched first and only the changed runs of lines are compared word by word, so a long
text with a few changes costs little. A changed run too large to compare word by word (the word
matcher is quadratic at worst) is marked as a whole. Everything is escaped: the marks are the
only HTML in the result.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape

# words, runs of white space, and single other characters; joined again they give the text back
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# a changed run of more tokens than this (on both sides together) is marked whole
WORD_DIFF_LIMIT = 20_000


@dataclass(frozen=True)
class SideBySide:
    old: Markup
    new: Markup
    removed: int  # words removed (or replaced) from the old text
    added: int  # words added (or replacing) in the new text

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _words(parts: list[str]) -> int:
    return sum(1 for part in parts if not part.isspace())


_MARKS = {"del": Markup("<del>{}</del>"), "ins": Markup("<ins>{}</ins>")}


def _mark(tag: str, parts: list[str]) -> Markup:
    text = "".join(parts)
    return _MARKS[tag].format(text) if text else Markup()  # format() escapes the text


class _Sides:
    def __init__(self):
        self.old: list[Markup] = []
        self.new: list[Markup] = []
        self.removed = 0
        self.added = 0

    def same(self, old: list[str], new: list[str]) -> None:
        self.old.append(escape("".join(old)))
        self.new.append(escape("".join(new)))

    def remove(self, parts: list[str]) -> None:
        self.old.append(_mark("del", parts))
        self.removed += _words(parts)

    def add(self, parts: list[str]) -> None:
        self.new.append(_mark("ins", parts))
        self.added += _words(parts)


def _compare_words(sides: _Sides, old: list[str], new: list[str]) -> None:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            sides.same(old[i1:i2], new[j1:j2])
        else:
            sides.remove(old[i1:i2])
            sides.add(new[j1:j2])


def side_by_side(old: str, new: str) -> SideBySide:
    """`old` and `new` as escaped HTML with <del>/<ins> around the words that differ."""
    old, new = old or "", new or ""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    sides = _Sides()
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            sides.same(old_lines[i1:i2], new_lines[j1:j2])
            continue
        old_tokens, new_tokens = tokens("".join(old_lines[i1:i2])), tokens("".join(new_lines[j1:j2]))
        if op == "replace" and len(old_tokens) + len(new_tokens) <= WORD_DIFF_LIMIT:
            _compare_words(sides, old_tokens, new_tokens)
        else:
            sides.remove(old_tokens)
            sides.add(new_tokens)
    return SideBySide(old=Markup().join(sides.old), new=Markup().join(sides.new), removed=sides.removed,
                      added=sides.added)
