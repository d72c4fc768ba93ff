"""Schemas shared by every router of the API: error bodies."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every refused request (400, 401, 403, 404) answers ``{"detail": "<message>"}``."""

    detail: str


class ValidationErrorOut(Schema):
    """422: the request does not match the schema; one entry per problem (pydantic's error format)."""

    detail: list[dict[str, Any]]


ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 422: ValidationErrorOut}
"""Responses every authenticated operation may give (merge into ``response={...}``)."""
