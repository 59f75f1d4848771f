"""Plan: what making the account match a desired state would do, and nothing done.

One listing of the account (`observe`), then per desired service: create it (and then apply
its settings with one update), update the settings that differ, leave it, or refuse it as a
conflict when two or more services already share its name. `plan` only reads; the rendering
follows Terraform's plan (`+` create, `~` update with `field: old -> new`, `!` conflict, and
a last line of counts).
"""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING

import attrs

from ._desired import DesiredService, DesiredState
from ._diff import FieldChange, diff, update_settings
from ._observe import Observation, observe

if TYPE_CHECKING:
    from .._client import ChatClient

__all__ = ["Plan", "PlanAction", "PlanEntry", "plan", "plan_from"]


class PlanAction(enum.Enum):
    """What a plan does for one desired service."""

    CREATE = "create"
    UPDATE = "update"
    NO_CHANGE = "no change"
    CONFLICT = "conflict"


@attrs.frozen
class PlanEntry:
    """One desired service's action. `sid` is the listed service's (None for a create or a
    conflict); `changes` are the settings to change (for a create, every desired setting,
    from None); `conflict_sids` lists the services sharing the name of a conflict."""

    friendly_name: str
    action: PlanAction
    sid: str | None = None
    changes: tuple[FieldChange, ...] = ()
    conflict_sids: tuple[str, ...] = ()

    @property
    def settings(self) -> dict[str, object]:
        """The `update_service` keywords that make the changes (empty: no update needed)."""
        return update_settings(self.changes)


@attrs.frozen
class Plan:
    """The actions for a desired state, in its order, and the observation they rest on."""

    entries: tuple[PlanEntry, ...]
    observation: Observation = attrs.field(repr=False)

    def count(self, action: PlanAction) -> int:
        """How many entries take this action."""
        return sum(1 for entry in self.entries if entry.action is action)

    @property
    def summary(self) -> str:
        """`Plan: N to create, M to update, K unchanged, C conflicts`."""
        return (
            f"Plan: {self.count(PlanAction.CREATE)} to create, "
            f"{self.count(PlanAction.UPDATE)} to update, "
            f"{self.count(PlanAction.NO_CHANGE)} unchanged, "
            f"{self.count(PlanAction.CONFLICT)} conflicts"
        )

    def render(self) -> str:
        """The plan as text, in the manner of `terraform plan`; unchanged services are only
        counted. Names and values are shown as JSON, so no character can break a line."""
        lines: list[str] = []
        for entry in self.entries:
            name = _show(entry.friendly_name)
            if entry.action is PlanAction.CREATE:
                lines.append(f"+ create {name}")
                lines += [f"    {change.path}: {_show(change.new)}" for change in entry.changes]
            elif entry.action is PlanAction.UPDATE:
                lines.append(f"~ update {name} ({entry.sid})")
                lines += [
                    f"    {change.path}: {_show(change.old)} -> {_show(change.new)}"
                    for change in entry.changes
                ]
            elif entry.action is PlanAction.CONFLICT:
                count = len(entry.conflict_sids)
                sids = ", ".join(entry.conflict_sids)
                lines.append(f"! conflict {name}: {count} services have this name ({sids})")
        lines.append(self.summary)
        return "\n".join(lines)


async def plan(client: ChatClient, desired: DesiredState) -> Plan:
    """Observe the account once and work out the actions for `desired`. Sends no write."""
    names = {keyword for service in desired for keyword in service.settings}
    return plan_from(desired, await observe(client, settings=names))


def plan_from(desired: DesiredState, observation: Observation) -> Plan:
    """The actions for `desired` against an observation already made (pure)."""
    return Plan(tuple(_entry(service, observation) for service in desired), observation)


def _entry(desired: DesiredService, observation: Observation) -> PlanEntry:
    listed = observation.services(desired.friendly_name)
    name = desired.friendly_name
    if not listed:
        return PlanEntry(name, PlanAction.CREATE, changes=tuple(diff(desired, None)))
    if len(listed) > 1:
        return PlanEntry(
            name, PlanAction.CONFLICT, conflict_sids=tuple(item.sid for item in listed)
        )
    (service,) = listed
    changes = tuple(diff(desired, service))
    action = PlanAction.UPDATE if changes else PlanAction.NO_CHANGE
    return PlanEntry(name, action, sid=service.sid, changes=changes)


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
