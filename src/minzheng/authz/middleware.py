from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from minzheng.authz.actions.login import password_expired


class PasswordExpiryMiddleware:
    """Send a signed-in user whose password is older than the limit to the change-password page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and password_expired(user):
            allowed = {reverse("web:password_change"), reverse("web:logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/")):
                return redirect("web:password_change")
        return self.get_response(request)
