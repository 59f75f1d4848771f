"""The operations the facade calls, with the success status each one answers.

The statuses come from `openapi.yaml` (a test compares this table with it), so a change of a
success code upstream fails the tests with a message naming the operation instead of surfacing
as unexplained errors.
"""

from __future__ import annotations

import attrs

__all__ = ["CREATE", "DELETE", "FETCH", "LIST", "OPERATIONS", "UPDATE", "Operation"]


@attrs.frozen
class Operation:
    """One operation of the Services resource: its `operationId`, method, path template and
    the one status code that means success."""

    operation_id: str
    method: str
    path: str
    success: int


CREATE = Operation("CreateService", "POST", "/v2/Services", 201)
LIST = Operation("ListService", "GET", "/v2/Services", 200)
FETCH = Operation("FetchService", "GET", "/v2/Services/{Sid}", 200)
UPDATE = Operation("UpdateService", "POST", "/v2/Services/{Sid}", 200)
DELETE = Operation("DeleteService", "DELETE", "/v2/Services/{Sid}", 204)

OPERATIONS = (CREATE, LIST, FETCH, UPDATE, DELETE)
