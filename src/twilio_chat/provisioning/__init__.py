"""Provisioning built on the client: many services exactly once (observe, act, verify,
repair) with the journal that lets a run resume; desired state, observation, diff, plan and
apply.

This package uses `ChatClient`; the client never imports it (but for
`ChatClient.create_services`, which calls in lazily). Its public names are re-exported from
`twilio_chat`; the modules here are private.
"""

from ._apply import ApplyOutcome, ApplyResult, apply
from ._bulk import create_services, provision
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
from ._outcomes import Outcome, ServiceResult
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
    "Outcome",
    "Plan",
    "PlanAction",
    "PlanEntry",
    "ServiceResult",
    "SettingField",
    "apply",
    "create_services",
    "diff",
    "load_desired",
    "observe",
    "plan",
    "plan_from",
    "provision",
    "setting_fields",
    "update_settings",
]
