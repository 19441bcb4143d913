"""One transaction per request: nothing in the app commits but web/transaction.py, and every early
commit is a visible decision."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "coordination"

# every function that commits before its request or command ends (the call says why); adding one
# means adding it here
EARLY_COMMITS = {
    ("accounts/services.py", "authenticate"),          # a sign-in attempt counts although a failed one is rolled back
    ("actions/reminders.py", "commit_keeping_loaded"),  # the wrapper below, which keeps the loaded rows
    ("actions/reminders.py", "release"),              # a claim given back stays given back
    ("actions/reminders.py", "send_digests"),         # claims visible to other processes before mail goes out
    ("documents/routes.py", "_meeting_document"),     # the first issue of a document (a GET) keeps its file number
    ("mail.py", "_claim"),                            # a drain's claim, visible to other drains before sending
    ("mail.py", "send_queued"),                       # what went out is recorded before the next batch
}
EARLY = {"commit_early", "commit_keeping_loaded"}


def _calls() -> tuple[set, set]:
    """(file, function) of every early commit, and of every other .commit() call."""
    early, other = set(), set()
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative == "web/transaction.py":
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in EARLY:
                        early.add((relative, function.name))
                    elif name == "commit":
                        other.add((relative, function.name))
    return early, other


def test_only_the_unit_of_work_commits():
    assert _calls()[1] == set()


def test_early_commits_are_the_listed_ones():
    assert _calls()[0] == EARLY_COMMITS
