"""The interactive API docs, served entirely from this server (no CDN: the bureau's network is closed).

django-ninja ships Swagger UI's files in its package but links them through ``{% static %}`` only when
``ninja`` is an installed app, and from a CDN otherwise. We serve the few files we need from the package
directory ourselves (``docs_asset``) and render the page without a template, with a Content-Security-Policy
that forbids every other host.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.html import escape, json_script
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-init.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
    "favicon.svg": "image/svg+xml",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SWAGGER_SETTINGS: dict[str, Any] = {
    "layout": "BaseLayout",
    "deepLinking": True,
    # Swagger UI's default validator badge is an image from validator.swagger.io.
    "validatorUrl": None,
    # Keep the token out of localStorage.
    "persistAuthorization": False,
}


def asset_url(name: str) -> str:
    return reverse("api-docs-asset", kwargs={"name": name})


class OfflineSwagger(DocsBase):
    """Swagger UI from local files only."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**SWAGGER_SETTINGS, "url": self.get_openapi_url(api, kwargs)}
        html = f"""<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset_url("swagger-ui.css")}">
<link rel="icon" href="{asset_url("favicon.svg")}" type="image/svg+xml">
<link rel="icon" href="{asset_url("favicon.png")}" type="image/png">
</head>
<body>
{json_script(settings, "swagger-settings")}
<div id="swagger-ui"></div>
<script src="{asset_url("swagger-ui-bundle.js")}"></script>
<script src="{asset_url("swagger-ui-init.js")}"></script>
</body>
</html>
"""
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


def docs_asset(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """One of Swagger UI's files from django-ninja's package directory (a fixed list, nothing else)."""
    if name not in ASSETS:
        return JsonResponse({"detail": "Not Found"}, status=404)
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
