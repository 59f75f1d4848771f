"""`twilio-chat apply`: make the account match a file of configured services (`--plan` only
shows what that would do); a thin layer over `load_desired`, `plan` and `apply`."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from .._client import ChatClient
from .._errors import ConfigurationError
from .._progress import Progress
from ..provisioning import ApplyOutcome, ApplyResult, DesiredState, apply, load_desired, plan
from ..provisioning._apply import managed_orphans, read_created
from ..provisioning._desired import DesiredStateError
from ._common import (
    _CONNECTION_EPILOG,
    EXIT_AMBIGUOUS,
    EXIT_API,
    EXIT_OK,
    EXIT_USAGE,
    _client,
    _connection_options,
    _run_async,
    _with_client,
    _work_options,
    _WriteFailed,
)
from ._provision import _same_file
from ._run import check_writable, settle_seconds

_RESUME = "run the same command again: it converges, and creates nothing twice"
_SHOWN = 10  # conflicts, failures and unmanaged services listed one per line, then counted


def add_commands(commands: Any) -> None:
    cmd = commands.add_parser(
        "apply",
        help="make the account match a file of configured services",
        description="Create the services SERVICES_FILE names that do not exist, update the "
        "settings that differ on those that do, and check the result. A rerun of the same "
        "file sends no write; a killed run is resumed by running the same command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  twilio-chat apply services.yaml --plan\n"
        "  twilio-chat apply services.yaml --journal run.jsonl --output result.csv\n"
        "  twilio-chat apply services.yaml --journal run.jsonl --prune\n\n" + _CONNECTION_EPILOG,
    )
    cmd.add_argument(
        "services_file",
        type=Path,
        metavar="SERVICES_FILE",
        help="YAML or JSON (`defaults:` and `services:`), or a names file (one per line)",
    )
    cmd.add_argument(
        "--journal",
        type=Path,
        help="JSON-lines record of what this job created (required to apply, no default; with "
        "--plan, read to show what --prune would delete)",
    )
    cmd.add_argument(
        "--plan",
        action="store_true",
        help="only list the changes (create, update field: old -> new, conflict); no write "
        "(default: apply them)",
    )
    cmd.add_argument(
        "--prune",
        action="store_true",
        help="delete services an earlier apply with this journal created that the file no "
        "longer names, and nothing else (default: list them as unmanaged)",
    )
    cmd.add_argument(
        "--output",
        type=Path,
        help="write name, sid, outcome per service as .csv or .json (default: not written)",
    )
    _work_options(cmd, "requests")
    cmd.add_argument(
        "--settle",
        type=settle_seconds,
        default=None,
        metavar="SECONDS",
        help="after an ambiguous create, or a resumed run whose creates may still be in "
        "flight, wait this long before looking again (default: twice the read timeout, 60)",
    )
    _connection_options(cmd)
    cmd.set_defaults(run=_run_apply, interrupted=_RESUME)


def _run_apply(args: argparse.Namespace) -> int:
    try:
        desired = load_desired(args.services_file)
    except DesiredStateError as exc:  # printed as is: its keys are the file's own
        print(f"DesiredStateError: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.prune and args.journal is None:
        raise ConfigurationError("--prune needs --journal: only what that journal created goes")
    if args.plan:
        if args.output is not None:
            raise ConfigurationError("--output is written by an apply, not by --plan")
        return _show_plan(args, desired)
    if args.journal is None:
        raise ConfigurationError(
            "apply needs --journal (a file that records what this job creates, so a killed "
            "run resumes without duplicates); use --plan to only see the changes"
        )
    _check_paths(args)
    return _apply(args, desired)


def _check_paths(args: argparse.Namespace) -> None:
    """Before the first request: no output is an input, and every output can be written."""
    pairs = [(args.journal, "--journal", args.services_file, "SERVICES_FILE")]
    if args.output is not None:
        pairs += [(args.output, "--output", args.services_file, "SERVICES_FILE")]
        pairs += [(args.output, "--output", args.journal, "--journal")]
    for path, flag, other, other_flag in pairs:
        if _same_file(path, other):
            raise ConfigurationError(
                f"{flag} {path} is the same file as {other_flag}: it would be overwritten"
            )
    check_writable(args.journal, "--journal")
    if args.output is not None:
        check_writable(args.output, "--output")


def _show_plan(args: argparse.Namespace, desired: DesiredState) -> int:
    async def preview(chat: ChatClient) -> str:
        result = await plan(chat, desired)
        created = read_created(args.journal, chat) if args.journal is not None else {}
        orphans = managed_orphans(desired, result.observation, created)
        *lines, summary = result.render().split("\n")
        for name, sid in orphans:
            shown = json.dumps(name, ensure_ascii=False)
            if args.prune:
                lines.append(f"- delete {shown} ({sid})")
            else:
                lines.append(
                    f"? unmanaged {shown} ({sid}): no longer in the file (--prune deletes it)"
                )
        if orphans:
            summary += f", {len(orphans)} {'to prune' if args.prune else 'unmanaged'}"
        return "\n".join([*lines, summary])

    print(_with_client(args, preview))
    return EXIT_OK


class _Tally:
    """The last result per service (a verification may change an earlier one)."""

    def __init__(self) -> None:
        self.final: dict[str, ApplyResult] = {}

    def add(self, result: ApplyResult) -> bool:
        """Keep the result; True when it is the service's first."""
        first = result.friendly_name not in self.final
        self.final[result.friendly_name] = result
        return first

    def report(self) -> None:
        counts = Counter(result.outcome for result in self.final.values())
        shown = [
            ApplyOutcome.CREATED,
            ApplyOutcome.UPDATED,
            ApplyOutcome.UNCHANGED,
            ApplyOutcome.PRUNED,
            ApplyOutcome.CONFLICT,
            ApplyOutcome.FAILED,
        ]
        shown += [o for o in (ApplyOutcome.UNMANAGED, ApplyOutcome.UNKNOWN) if counts[o]]
        words = {ApplyOutcome.CONFLICT: "conflicts"}
        parts = [f"{counts[o]} {words.get(o, o.value)}" for o in shown]
        print(f"summary: {', '.join(parts)}", file=sys.stderr)
        for outcome in (ApplyOutcome.CONFLICT, ApplyOutcome.FAILED, ApplyOutcome.UNKNOWN):
            self._list(outcome, counts[outcome])
        if counts[ApplyOutcome.UNMANAGED]:
            self._list(ApplyOutcome.UNMANAGED, counts[ApplyOutcome.UNMANAGED])
            print(
                "  (created by this journal's earlier applies, no longer in the file: --prune "
                "deletes them)",
                file=sys.stderr,
            )

    def _list(self, outcome: ApplyOutcome, count: int) -> None:
        results = [r for r in self.final.values() if r.outcome is outcome]
        for result in results[:_SHOWN]:
            name = json.dumps(result.friendly_name, ensure_ascii=False)
            print(f"  {outcome.value} {name}: {_why(result)}", file=sys.stderr)
        if count > _SHOWN:
            print(f"  ... and {count - _SHOWN} more {outcome.value}", file=sys.stderr)


def _why(result: ApplyResult) -> str:
    if result.conflict_sids:
        sids = ", ".join(result.conflict_sids)
        return f"{len(result.conflict_sids)} services have this name ({sids})"
    if result.error is not None:
        return f"{type(result.error).__name__}: {result.error}"
    return result.detail or (result.sid or "")


def _apply(args: argparse.Namespace, desired: DesiredState) -> int:
    mode = args.progress
    tty = sys.stderr.isatty() if mode == "auto" else mode == "bar"
    progress = Progress(len(desired), sys.stderr, tty=tty) if mode != "none" else None
    tally = _Tally()
    wanted = set(desired.names)

    async def run() -> None:
        async with _client(args) as chat:
            stream = apply(
                chat,
                desired,
                journal=args.journal,
                prune=args.prune,
                concurrency=args.concurrency,
                settle=args.settle,
            )
            try:
                async with contextlib.aclosing(stream) as results:
                    async for result in results:
                        first = tally.add(result)
                        if progress is not None and first and result.friendly_name in wanted:
                            progress.advance(ok=result.ok)
            except OSError as exc:
                raise _WriteFailed(
                    f"cannot write --journal {args.journal}: {exc.strerror}; {_RESUME}"
                ) from exc

    try:
        _run_async(run)
    finally:
        if progress is not None:
            progress.close()
        if tally.final:
            tally.report()
    if args.output is not None:
        try:
            written = _write_output(args.output, desired, tally)
        except OSError as exc:
            raise _WriteFailed(
                f"cannot write --output {args.output}: {exc.strerror}; {_RESUME} to write it"
            ) from exc
        print(f"wrote {written} services to {args.output}", file=sys.stderr)
    counts = Counter(result.outcome for result in tally.final.values())
    if counts[ApplyOutcome.UNKNOWN]:
        return EXIT_AMBIGUOUS
    if counts[ApplyOutcome.FAILED] or counts[ApplyOutcome.CONFLICT]:
        return EXIT_API
    return EXIT_OK


def _write_output(path: Path, desired: DesiredState, tally: _Tally) -> int:
    """name, sid, outcome per service: the file's order, then services only the journal
    knows (pruned, unmanaged)."""
    names = [name for name in desired.names if name in tally.final]
    names += sorted(set(tally.final) - set(names))
    rows = [(name, tally.final[name].sid or "", tally.final[name].outcome.value) for name in names]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["name", "sid", "outcome"])
            writer.writerows(rows)
    else:
        records = [{"name": n, "sid": s or None, "outcome": o} for n, s, o in rows]
        path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return len(rows)
