from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_service_request import CreateServiceRequest
from ...models.service import Service
from ...models.twilio_error import TwilioError
from ...types import Response


def _get_kwargs(
    *,
    body: CreateServiceRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/Services",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Service | TwilioError | None:
    if response.status_code == 201:
        response_201 = Service.from_dict(response.json())

        return response_201

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
    *,
    client: AuthenticatedClient,
    body: CreateServiceRequest,
) -> Response[Service | TwilioError]:
    """Create a Service

     Creates a Chat Service. `FriendlyName` is the only create parameter; every other setting exists only
    on update.

    Args:
        body (CreateServiceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Service | TwilioError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateServiceRequest,
) -> Service | TwilioError | None:
    """Create a Service

     Creates a Chat Service. `FriendlyName` is the only create parameter; every other setting exists only
    on update.

    Args:
        body (CreateServiceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Service | TwilioError
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateServiceRequest,
) -> Response[Service | TwilioError]:
    """Create a Service

     Creates a Chat Service. `FriendlyName` is the only create parameter; every other setting exists only
    on update.

    Args:
        body (CreateServiceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Service | TwilioError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateServiceRequest,
) -> Service | TwilioError | None:
    """Create a Service

     Creates a Chat Service. `FriendlyName` is the only create parameter; every other setting exists only
    on update.

    Args:
        body (CreateServiceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Service | TwilioError
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
