from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.service import Service
from ...models.twilio_error import TwilioError
from ...models.update_service_request import UpdateServiceRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    sid: str,
    *,
    body: UpdateServiceRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/Services/{sid}".format(
            sid=quote(str(sid), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Service | TwilioError | None:
    if response.status_code == 200:
        response_200 = Service.from_dict(response.json())

        return response_200

    if 400 <= response.status_code <= 499:
        response_4xx = TwilioError.from_dict(response.json())

        return response_4xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Service | TwilioError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    sid: str,
    *,
    client: AuthenticatedClient,
    body: UpdateServiceRequest | Unset = UNSET,
) -> Response[Service | TwilioError]:
    """Update a Service

     Changes the settings of a Service. Only the parameters sent are changed; dotted names set fields of
    the nested `notifications`, `limits` and `media` objects.

    Args:
        sid (str):
        body (UpdateServiceRequest | Unset): The settings of a Service; only those sent are
            changed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Service | TwilioError]
    """

    kwargs = _get_kwargs(
        sid=sid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    sid: str,
    *,
    client: AuthenticatedClient,
    body: UpdateServiceRequest | Unset = UNSET,
) -> Service | TwilioError | None:
    """Update a Service

     Changes the settings of a Service. Only the parameters sent are changed; dotted names set fields of
    the nested `notifications`, `limits` and `media` objects.

    Args:
        sid (str):
        body (UpdateServiceRequest | Unset): The settings of a Service; only those sent are
            changed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Service | TwilioError
    """

    return sync_detailed(
        sid=sid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    sid: str,
    *,
    client: AuthenticatedClient,
    body: UpdateServiceRequest | Unset = UNSET,
) -> Response[Service | TwilioError]:
    """Update a Service

     Changes the settings of a Service. Only the parameters sent are changed; dotted names set fields of
    the nested `notifications`, `limits` and `media` objects.

    Args:
        sid (str):
        body (UpdateServiceRequest | Unset): The settings of a Service; only those sent are
            changed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Service | TwilioError]
    """

    kwargs = _get_kwargs(
        sid=sid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    sid: str,
    *,
    client: AuthenticatedClient,
    body: UpdateServiceRequest | Unset = UNSET,
) -> Service | TwilioError | None:
    """Update a Service

     Changes the settings of a Service. Only the parameters sent are changed; dotted names set fields of
    the nested `notifications`, `limits` and `media` objects.

    Args:
        sid (str):
        body (UpdateServiceRequest | Unset): The settings of a Service; only those sent are
            changed.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Service | TwilioError
    """

    return (
        await asyncio_detailed(
            sid=sid,
            client=client,
            body=body,
        )
    ).parsed
