"""Version 1 of the JSON API, mounted at ``/api/v1/``.

Every operation needs a bearer token (:mod:`minzheng.api.auth`); the OpenAPI document
(``/api/v1/openapi.json``) and the docs page (``/api/v1/docs``) are public and carry no data.
Domain errors map to status codes here, once: a record outside the caller's jurisdiction and a missing
record both answer 404 with the same body.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.renderers import JSONRenderer

from minzheng.api.auth import BearerToken
from minzheng.api.docs import OfflineSwagger
from minzheng.core.api import households_router, people_router
from minzheng.core.errors import DomainError, Forbidden, InvalidChange, NotFound

UNAUTHORIZED = "需要有效的 API 令牌（Authorization: Bearer mz_…）"


class Utf8JSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as characters, not ``\\uXXXX`` escapes."""

    json_dumps_params: Mapping[str, Any] = MappingProxyType({"ensure_ascii": False})


api = NinjaAPI(
    version="1",
    title="Minzheng 民政 API",
    description=(
        "民政业务平台 JSON 接口。每个请求携带 `Authorization: Bearer mz_…`；数据按用户的管辖范围过滤，"
        "范围外的记录与不存在的记录同样返回 404；列表与详情中的身份证号、电话均已脱敏，"
        "完整值通过 `POST /people/{person_id}/reveal` 获取并记入审计日志。"
    ),
    urls_namespace="api-v1",
    auth=BearerToken(),
    docs=OfflineSwagger(),
    docs_url="/docs",
    renderer=Utf8JSONRenderer(),
)
api.add_router("/households", households_router)
api.add_router("/people", people_router)


def _error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, UNAUTHORIZED)
    response["WWW-Authenticate"] = 'Bearer realm="minzheng"'
    return response


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(InvalidChange)
def invalid_change(request: HttpRequest, exc: InvalidChange) -> HttpResponse:
    return _error(request, 400, str(exc))


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, 400, str(exc))
