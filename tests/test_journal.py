"""The run journal: one flushed JSON line per outcome, readable after a kill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from twilio_chat_api.models import Service

from tests._bodies import service_body
from twilio_chat import AmbiguousCreateError, Outcome, ServiceResult
from twilio_chat._journal import Journal

SID = "IS" + "1" * 32


def _created(name: str) -> ServiceResult:
    return ServiceResult(
        friendly_name=name,
        outcome=Outcome.CREATED,
        service=Service.from_dict(service_body(SID, name)),
    )


def test_journal_records_each_outcome_as_a_flushed_line(tmp_path: Path) -> None:
    """Each record is on disk as soon as record() returns, before the file is closed."""
    path = tmp_path / "run.jsonl"
    with Journal(path) as journal:
        journal.record(_created("a"))
        error = AmbiguousCreateError("b", reason="ReadTimeout")
        journal.record(ServiceResult(friendly_name="b", outcome=Outcome.UNKNOWN, error=error))
        lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [(x["name"], x["sid"], x["status"]) for x in lines] == [
        ("a", SID, "created"),
        ("b", None, "unknown"),
    ]
    assert lines[1]["error"].startswith("AmbiguousCreateError: service 'b'")


def test_journal_resume_skips_done_and_ignores_a_cut_line(tmp_path: Path) -> None:
    """A line cut short by a kill is ignored; the next run appends on a fresh line."""
    path = tmp_path / "run.jsonl"
    with Journal(path) as journal:
        journal.record(_created("a"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"name": "b", "sid": "IS')  # the kill landed mid-write
    resumed = Journal(path)
    assert resumed.resumed
    assert resumed.done() == {"a"}
    with resumed:
        resumed.record(_created("b"))
    assert Journal(path).done() == {"a", "b"}


def test_journal_last_entry_per_name_wins(tmp_path: Path) -> None:
    """A name that failed and was later created counts as done."""
    path = tmp_path / "run.jsonl"
    with Journal(path) as journal:
        journal.record(ServiceResult(friendly_name="a", outcome=Outcome.FAILED))
        journal.record(_created("a"))
    assert Journal(path).done() == {"a"}


def test_journal_record_outside_with_is_an_error(tmp_path: Path) -> None:
    """Recording without an open file is a programming error, said plainly."""
    with pytest.raises(RuntimeError, match="outside"):
        Journal(tmp_path / "x.jsonl").record(_created("a"))


def test_journal_unknown_status_reads_as_unknown(tmp_path: Path) -> None:
    """A hand-edited or foreign status never counts as done and never crashes the summary."""
    path = tmp_path / "run.jsonl"
    path.write_text('{"name": "a", "sid": null, "status": "bogus"}\n', "utf-8")
    entry = Journal(path).entries["a"]
    assert entry.status == "unknown"
    assert not entry.done


def test_journal_existing_file_means_resume_even_without_lines(tmp_path: Path) -> None:
    """A run killed before its first line may have created services: the rerun reconciles."""
    path = tmp_path / "run.jsonl"
    assert not Journal(path).resumed
    path.write_text('{"name": "a", "si', "utf-8")  # died mid-way through its first line
    journal = Journal(path)
    assert journal.resumed
    assert journal.done() == set()
