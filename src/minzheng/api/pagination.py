"""Page-number paging for every list of the API: ``?page=`` and ``?page_size=``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class PageParams(PaginationBase.Input):
    """`?page=` and `?page_size=` of every list."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})"
    )


class Page(PaginationBase):
    """Answers ``{"items": [...], "count": N, "page": p, "page_size": s}``; ``count`` is the whole result.

    A page past the end answers no items (and the true count), not an error.
    """

    Input = PageParams  # type: ignore[assignment]  # a subclass of the base's Input, named for the docs

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: PageParams, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": queryset.count(),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
