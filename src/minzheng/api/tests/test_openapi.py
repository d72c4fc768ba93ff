"""The OpenAPI document and the docs page: complete, public, and with no reference to another host."""

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from minzheng.api.docs import ASSET_DIR, ASSETS
from minzheng.api.tests.support import LIVE, http

pytestmark = LIVE

OPERATIONS = {
    ("/api/v1/households", "get"): "list_households",
    ("/api/v1/households/{household_id}", "get"): "get_household",
    ("/api/v1/people", "get"): "list_people",
    ("/api/v1/people/{person_id}", "get"): "get_person",
    ("/api/v1/people/{person_id}/reveal", "post"): "reveal_person_field",
}


def _schema(api: str) -> dict[str, Any]:
    answer = http(f"{api}/openapi.json")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    document: dict[str, Any] = answer.json()
    return document


def test_openapi_document_lists_every_operation_with_bearer_auth(api: str) -> None:
    doc = _schema(api)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Minzheng 民政 API"
    assert doc["info"]["version"] == "1"
    assert doc["components"]["securitySchemes"] == {
        "BearerToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "mz_…",
            "description": "API token issued to a user (authz.actions.users.issue_token): `Bearer mz_…`.",
        }
    }
    found = {
        (path, method): op["operationId"]
        for path, ops in doc["paths"].items() for method, op in ops.items()
    }
    assert found == OPERATIONS
    schemas = doc["components"]["schemas"]
    for (path, method), _ in OPERATIONS.items():
        op = doc["paths"][path][method]
        assert op["security"] == [{"BearerToken": []}], path
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok.split("/")[-1] in schemas, path
        assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }
        if "{" in path:
            assert op["responses"]["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }


def test_openapi_lists_are_paged_and_masked_fields_described(api: str) -> None:
    schemas = _schema(api)["components"]["schemas"]
    paged = schemas["PagedHouseholdItem"]
    assert set(paged["required"]) == {"items", "count", "page", "page_size"}
    assert paged["properties"]["items"]["items"] == {"$ref": "#/components/schemas/HouseholdItem"}
    assert set(schemas["PagedPersonItem"]["required"]) == {"items", "count", "page", "page_size"}
    assert schemas["PersonItem"]["properties"]["id_number"]["description"] == "Masked: 2101**********123X"
    assert schemas["MemberOut"]["properties"]["monthly_income"]["type"] == "string"
    assert schemas["RevealIn"]["properties"]["field"]["enum"] == ["id_number", "phone"]


def test_docs_page_loads_only_local_files(api: str) -> None:
    answer = http(f"{api}/docs")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self';" in csp
    html = answer.text
    assert "http://" not in html
    assert "https://" not in html
    assert "cdn" not in html.lower()
    referenced = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(referenced) == sorted(f"/api/v1/docs/assets/{name}" for name in ASSETS)
    assert '"url": "/api/v1/openapi.json"' in html
    assert '"validatorUrl": null' in html
    base = api.removesuffix("/api/v1")
    for path in referenced:
        asset = http(base + path)
        assert asset.status == 200, path
        assert asset.headers["Content-Type"] == ASSETS[path.rsplit("/", 1)[1]]
        assert asset.body == (ASSET_DIR / path.rsplit("/", 1)[1]).read_bytes()


def test_docs_assets_are_a_fixed_list(api: str) -> None:
    # Files that exist beside the assets, or in the package, are not served; a name holds no "/".
    for name in ("redoc.standalone.js", "swagger-ui.css.map", "__init__.py", "..", "%2E%2E"):
        refused = http(f"{api}/docs/assets/{name}")
        assert (refused.status, refused.json()) == (404, {"detail": "Not Found"}), name
    assert http(f"{api}/docs/assets/swagger-ui-bundle.js").status == 200


def test_the_root_urlconf_mounts_version_1_under_api(client: Client) -> None:
    assert reverse("api-v1:openapi-json") == "/api/v1/openapi.json"
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/households").status_code == 401


def test_unknown_api_paths_answer_json_404(api: str) -> None:
    for path in ("nothing", "households/1/nothing", "households/", "v2/households"):
        url = f"{api}/{path}" if not path.startswith("v2") else f"{api.removesuffix('/v1')}/{path}"
        answer = http(url)
        assert (answer.status, answer.json()) == (404, {"detail": "Not Found"}), path
