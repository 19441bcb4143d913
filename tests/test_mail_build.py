"""mail.as_bytes() writes plain messages itself (the email package's generator re-encodes every header
and took 12 s for a fan-out's 2,000 e-mails): what it writes must read back exactly as the generator's."""
from __future__ import annotations

import email
from email import policy

from hypothesis import given, settings
from hypothesis import strategies as st

from coordination import mail

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(subject=TEXT, body=TEXT)
def test_the_direct_writer_reads_back_as_the_generator_writes(app, subject, body):
    subject = " ".join(subject.split()) or "x"  # a header holds no line breaks or runs of spaces
    with app.app_context():
        message = mail.build("ana.obcinska@example.si", subject, body + "\n", language="sl")
        direct, generated = (email.message_from_bytes(raw, policy=policy.default)
                             for raw in (mail.as_bytes(message), bytes(message)))
    assert direct["Subject"] == generated["Subject"] == subject
    assert direct.get_content() == generated.get_content()
    assert [(k, str(v)) for k, v in direct.items()] == [(k, str(v)) for k, v in generated.items()]
    assert all(len(line) <= 78 for line in mail.as_bytes(message).split(b"\n\n", 1)[0].split(b"\n"))


def test_a_slovenian_subject_is_encoded_in_short_words(app):
    with app.app_context():
        raw = mail.as_bytes(mail.build("a@example.si", "Kamnik: naloga „Imenovati skrbnika“ je opravljena " * 3, "Da.\n"))
    head = raw.split(b"\n\n", 1)[0].decode("ascii")
    assert "=?utf-8?b?" in head and max(len(line) for line in head.splitlines()) <= 78
