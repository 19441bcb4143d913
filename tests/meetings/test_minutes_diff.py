import re

from coordination.meetings import diff
from coordination.meetings.diff import side_by_side


def test_changed_words_are_marked_on_each_side():
    result = side_by_side("Sestanek bo v torek ob 9.00.", "Sestanek bo v sredo ob 10.00.")
    assert result.old == "Sestanek bo v <del>torek</del> ob <del>9</del>.00."
    assert result.new == "Sestanek bo v <ins>sredo</ins> ob <ins>10</ins>.00."
    assert (result.removed, result.added) == (2, 2) and result.changed


def test_added_and_removed_lines_and_unchanged_lines():
    old = "Uvod\nPrva točka\nRazno\n"
    new = "Uvod\nRazno\nNova točka\n"
    result = side_by_side(old, new)
    assert result.old == "Uvod\n<del>Prva točka\n</del>Razno\n"
    assert result.new == "Uvod\nRazno\n<ins>Nova točka\n</ins>"
    assert (result.removed, result.added) == (2, 2)


def test_identical_texts_have_no_marks():
    result = side_by_side("Enako besedilo.\n", "Enako besedilo.\n")
    assert not result.changed and "<del>" not in result.old and "<ins>" not in result.new


def test_empty_sides():
    assert side_by_side("", "Novo").new == "<ins>Novo</ins>"
    assert side_by_side("Staro", "").old == "<del>Staro</del>"
    assert side_by_side(None, None).old == ""


def test_everything_is_escaped():
    result = side_by_side('<b onclick="x()">a</b>', '<script>alert(1)</script>')
    assert "<script>" not in result.new and "<b " not in result.old
    assert result.new.striptags() == "<script>alert(1)</script>"  # striptags also unescapes
    assert set(re.findall(r"</?(\w+)", str(result.old) + str(result.new))) == {"del", "ins"}


def test_texts_join_back_without_the_marks():
    old = "Prvi odstavek.\n\nDrugi  odstavek, z vejico; in  presledki.\n"
    new = "Prvi odstavek!\n\nDrugi odstavek z vejico in presledki.\nTretji.\n"
    result = side_by_side(old, new)
    strip = lambda html: html.replace("<del>", "").replace("</del>", "").replace("<ins>", "").replace("</ins>", "")  # noqa: E731
    assert strip(str(result.old)) == old and strip(str(result.new)) == new


def test_a_huge_changed_run_is_marked_whole(monkeypatch):
    monkeypatch.setattr(diff, "WORD_DIFF_LIMIT", 10)
    result = side_by_side("ena dva tri štiri pet šest", "ena dva tri štiri pet sedem")
    assert result.old == "<del>ena dva tri štiri pet šest</del>"
    assert result.new == "<ins>ena dva tri štiri pet sedem</ins>"
