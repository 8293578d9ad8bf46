"""A second generated service on the same machinery: Serverless v1 List Services.

This file is the whole binding: the endpoint declaration and two thin clients. Auth,
paging, retries, errors and the local test server are the ones Steps uses, unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from serverless_v1_services_api.api.serverless_v1_service import list_service
from serverless_v1_services_api.models import Service, ServicePage

from .client import AsyncListClient, SyncListClient
from .endpoint import ListEndpoint

LIST_SERVICES: ListEndpoint[Service] = ListEndpoint(
    product="serverless",
    build_request=list_service._get_kwargs,
    page_model=ServicePage,
    items_key="services",
)


class ServicesClient(SyncListClient):
    """List an account's Serverless services (https://serverless.twilio.com/v1/Services)."""

    product = "serverless"

    def iter_services(
        self, page_size: int | None = None, limit: int | None = None, page_token: str | None = None
    ) -> Iterator[Service]:
        return self._iter_items(LIST_SERVICES, (), page_size, limit, page_token)


class AsyncServicesClient(AsyncListClient):
    """The asyncio twin of ServicesClient."""

    product = "serverless"

    def iter_services(
        self, page_size: int | None = None, limit: int | None = None, page_token: str | None = None
    ) -> AsyncIterator[Service]:
        return self._iter_items(LIST_SERVICES, (), page_size, limit, page_token)
