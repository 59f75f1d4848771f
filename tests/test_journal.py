"""The run journal: one account's run, locked, one flushed JSON line per event, readable after
a kill."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from twilio_chat_api.models import Service

from tests._bodies import service_body
from twilio_chat import AmbiguousCreateError, ConfigurationError, Outcome, ServiceResult
from twilio_chat.provisioning._journal import Journal

SID = "IS" + "1" * 32
ACCOUNT = "AC" + "a" * 32
OTHER_ACCOUNT = "AC" + "b" * 32
URL = "http://127.0.0.1:8080"


def _journal(path: Path, account: str = ACCOUNT, url: str = URL) -> Journal:
    return Journal(path, account_sid=account, base_url=url)


def _created(name: str) -> ServiceResult:
    return ServiceResult(
        friendly_name=name,
        outcome=Outcome.CREATED,
        service=Service.from_dict(service_body(SID, name)),
    )


def test_journal_starts_with_a_header_naming_account_and_host(tmp_path: Path) -> None:
    """The first line says which account, which host and when: what a resume is checked by."""
    path = tmp_path / "run.jsonl"
    with _journal(path) as journal:
        assert not journal.resumed
    header = json.loads(path.read_text("utf-8").splitlines()[0])
    assert header["journal"] == 2
    assert header["account_sid"] == ACCOUNT
    assert header["base_url"] == URL
    assert header["started"].endswith("Z")
    with _journal(path) as again:
        assert again.resumed
        assert again.started == journal.started  # the run's start survives a resume


def test_journal_records_each_outcome_as_a_flushed_line(tmp_path: Path) -> None:
    """Each record is on disk as soon as record() returns, before the file is closed."""
    path = tmp_path / "run.jsonl"
    with _journal(path) as journal:
        journal.record(_created("a"), ours=True)
        error = AmbiguousCreateError("b", reason="ReadTimeout")
        journal.record(
            ServiceResult(friendly_name="b", outcome=Outcome.UNKNOWN, error=error), ours=True
        )
        lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()[1:]]
    assert [(x["name"], x["sid"], x["status"], x["ours"]) for x in lines] == [
        ("a", SID, "created", True),
        ("b", None, "unknown", True),
    ]
    assert lines[1]["error"].startswith("AmbiguousCreateError: service 'b'")


@pytest.mark.parametrize(
    ("account", "url", "needle"),
    [
        pytest.param(OTHER_ACCOUNT, URL, f"belongs to account {ACCOUNT}", id="account"),
        pytest.param(ACCOUNT, "http://127.0.0.1:9090", f"belongs to {URL}", id="host"),
    ],
)
def test_journal_of_another_account_or_host_is_refused(
    tmp_path: Path, account: str, url: str, needle: str
) -> None:
    """A journal reused against another account or host is refused, and left as it was."""
    path = tmp_path / "run.jsonl"
    with _journal(path) as journal:
        journal.record(_created("a"), ours=True)
    before = path.read_bytes()
    with pytest.raises(ConfigurationError, match=needle):
        _journal(path, account, url).open()
    assert path.read_bytes() == before


def test_journal_without_header_is_refused(tmp_path: Path) -> None:
    """A journal from before headers cannot say whose it is: refused, with what to do."""
    path = tmp_path / "run.jsonl"
    path.write_text('{"name": "a", "sid": "IS' + "1" * 32 + '", "status": "created"}\n', "utf-8")
    with pytest.raises(ConfigurationError, match=r"older twilio-chat.*new journal"):
        _journal(path).open()


def test_journal_lock_refuses_a_second_process_at_once(tmp_path: Path) -> None:
    """While one run holds the journal, another process opening it fails at once."""
    path = tmp_path / "run.jsonl"
    script = (
        "import sys\n"
        "from twilio_chat.provisioning._journal import Journal\n"
        "from twilio_chat import ConfigurationError\n"
        f"j = Journal(sys.argv[1], account_sid={ACCOUNT!r}, base_url={URL!r})\n"
        "try:\n    j.open()\nexcept ConfigurationError as e:\n    print(e); sys.exit(2)\n"
    )
    with _journal(path):
        held = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert held.returncode == 2
    assert "in use by another run" in held.stdout
    free = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert free.returncode == 0, free.stdout


def test_journal_resume_reads_done_and_ignores_a_cut_line(tmp_path: Path) -> None:
    """A line cut short by a kill is ignored; the next run appends on a fresh line."""
    path = tmp_path / "run.jsonl"
    with _journal(path) as journal:
        journal.record(_created("a"), ours=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"name": "b", "sid": "IS')  # the kill landed mid-write
    with _journal(path) as resumed:
        assert resumed.resumed
        assert {name for name, entry in resumed.entries.items() if entry.done} == {"a"}
        resumed.record(_created("b"), ours=True)
    with _journal(path) as again:
        assert {name for name, entry in again.entries.items() if entry.done} == {"a", "b"}


def test_journal_header_cut_short_starts_afresh(tmp_path: Path) -> None:
    """A run killed while writing its header sent nothing: the file starts again, cleanly."""
    path = tmp_path / "run.jsonl"
    path.write_text('{"journal": 2, "account_s', "utf-8")
    with _journal(path) as journal:
        assert not journal.resumed
    assert json.loads(path.read_text("utf-8").splitlines()[0])["account_sid"] == ACCOUNT


def test_journal_tracks_unverified_work_and_pending_deletes(tmp_path: Path) -> None:
    """After a kill: when the dead run last acted, its ambiguous names and deletes in flight."""
    path = tmp_path / "run.jsonl"
    with _journal(path) as journal:
        journal.note_acting()
        journal.note_ambiguous("a")
        journal.note_deleting("b", SID)
    with _journal(path) as resumed:
        assert resumed.unsettled_since is not None
        assert resumed.ambiguous == {"a"}
        assert resumed.deleting == {SID: "b"}
        resumed.note_deleted(SID)
        resumed.note_verified()
    with _journal(path) as settled:
        assert settled.unsettled_since is None
        assert settled.ambiguous == set()
        assert settled.deleting == {}


def test_journal_unknown_status_reads_as_unknown(tmp_path: Path) -> None:
    """A hand-edited or foreign status never counts as done and never crashes the summary."""
    path = tmp_path / "run.jsonl"
    with _journal(path):
        pass
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"name": "a", "sid": "IS' + "1" * 32 + '", "status": "bogus"}\n')
    with _journal(path) as journal:
        entry = journal.entries["a"]
    assert entry.status == "unknown"
    assert not entry.done


def test_journal_record_outside_with_is_an_error(tmp_path: Path) -> None:
    """Recording without an open file is a programming error, said plainly."""
    with pytest.raises(RuntimeError, match="outside"):
        _journal(tmp_path / "x.jsonl").record(_created("a"), ours=True)
