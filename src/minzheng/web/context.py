from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for the signed-in user's role (filled in by the web UI)."""
    return {}
