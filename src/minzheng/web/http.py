"""View helpers shared by every app's pages: role gates, domain errors → HTTP, the client's address."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from minzheng.authz.models import User
from minzheng.authz.scope import has_role
from minzheng.core.errors import Forbidden, NotFound

View = TypeVar("View", bound=Callable[..., HttpResponse])


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view that requires one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def set_choices(field: Any, choices: list[tuple[str, Any]]) -> None:
    """Give a choice field its choices at run time (the typed way)."""
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def client_ip(request: HttpRequest) -> str | None:
    """The peer address (a reverse proxy in front must be configured to set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


def domain_errors(view: View) -> View:
    """Map :class:`NotFound` to 404 and :class:`Forbidden` to 403 for anything the view lets escape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from None

    return wrapped  # type: ignore[return-value]


def role_required(roles: frozenset[str]) -> Callable[[View], View]:
    """Signed in (else the sign-in page) and holding one of ``roles`` (else 403); maps domain errors."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(domain_errors(wrapped))  # type: ignore[return-value]

    return decorator


def no_store(response: HttpResponse) -> HttpResponse:
    """Pages that carry personal data are never kept by the browser or a proxy."""
    response["Cache-Control"] = "no-store, private"
    return response
