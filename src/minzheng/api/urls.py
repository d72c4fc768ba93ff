from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from minzheng.api.docs import docs_asset
from minzheng.api.v1 import api as api_v1


def not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404, not the web UI's page."""
    return JsonResponse({"detail": "Not Found"}, status=404)


urlpatterns = [
    path("v1/docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("v1/", api_v1.urls),
    re_path(r"", not_found),
]
