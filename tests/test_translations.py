"""Slovenian first: every text of the interface has a Slovenian translation."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "coordination" / "translations"


def test_every_text_is_translated_to_slovenian(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2",
                    "-o", str(pot), "."], cwd=ROOT, check=True)
    with open(pot, "rb") as fh:
        source = read_po(fh)
    with open(CATALOGUES / "sl" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        slovenian = read_po(fh, locale="sl")
    missing = []
    for message in source:
        if not message.id:
            continue
        translated = slovenian.get(message.id, message.context)  # pgettext: the context is part of the key
        strings = translated.string if translated else None
        if translated is None or translated.fuzzy or not strings or (
                isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, f"{len(missing)} texts lack a Slovenian translation (run `make messages`): {missing[:10]}"


def test_slovenian_plural_rule_is_declared():
    text = (CATALOGUES / "sl" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3" in text


def test_slovenian_wording_is_gender_neutral():
    """No "potrdil(a)", "(-a)" or "avtor(ica)": a neutral wording instead ("Shranjeno: Ana Novak")."""
    import re

    with open(CATALOGUES / "sl" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        slovenian = read_po(fh, locale="sl")
    forms = re.compile(r"\w\((?:-?a|ica|ka)\)|\w\(-a\)|\wl/a\b")
    split = []
    for message in slovenian:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        split += [text for text in strings if text and forms.search(text)]
    assert not split, split
    assert not forms.search("Zapisnik potrjen: Ana Novak") and forms.search("je potrdil(a)")
    assert forms.search("potrdil(-a)") and forms.search("avtor(ica)") and forms.search("Zapisal/a ")
