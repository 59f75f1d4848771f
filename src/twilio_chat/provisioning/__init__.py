"""Provisioning built on the client: desired state, observation of the account, diff, plan
and apply.

This package uses `ChatClient`; the client never imports it. Its public names are re-exported
from `twilio_chat`; the modules here are private.
"""

from ._apply import ApplyOutcome, ApplyResult, apply
from ._desired import (
    DesiredService,
    DesiredState,
    DesiredStateError,
    DesiredStateProblem,
    load_desired,
)
from ._diff import FieldChange, diff, update_settings
from ._fields import SettingField, setting_fields
from ._observe import ListedService, Observation, observe
from ._plan import Plan, PlanAction, PlanEntry, plan, plan_from

__all__ = [
    "ApplyOutcome",
    "ApplyResult",
    "DesiredService",
    "DesiredState",
    "DesiredStateError",
    "DesiredStateProblem",
    "FieldChange",
    "ListedService",
    "Observation",
    "Plan",
    "PlanAction",
    "PlanEntry",
    "SettingField",
    "apply",
    "diff",
    "load_desired",
    "observe",
    "plan",
    "plan_from",
    "setting_fields",
    "update_settings",
]
