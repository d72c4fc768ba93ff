"""The supply catalogue as Open Referral HSDS 3.0: valid against the official compiled schemas, stable, and a
round trip (export → import) changes nothing."""

from __future__ import annotations

import copy
import json

import pytest

from minzheng.cli import main
from minzheng.services import hsds
from minzheng.services.actions.catalogue import import_hsds
from minzheng.services.models import Offering, Provider, ProviderArea


def test_the_official_schemas_ship_with_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINZHENG_HSDS_SCHEMAS", raising=False)
    folder = hsds.schema_dir()
    assert folder is not None and folder.name == "hsds_schemas"
    assert json.loads((folder / "service.json").read_text(encoding="utf-8"))["name"] == "service"
    monkeypatch.setenv("MINZHENG_HSDS_SCHEMAS", str(folder.parent))  # a folder without them
    assert hsds.schema_dir() is None


def test_export_is_valid_hsds_3(catalogue) -> None:
    services, organizations = hsds.export_catalogue()
    assert len(services) == 5 and len(organizations) == 3
    for obj in services:
        assert hsds.validation_errors(obj, "service") == [], obj["name"]
    for obj in organizations:
        assert hsds.validation_errors(obj, "organization") == [], obj["name"]
    meal = next(s for s in services if s["id"] == str(catalogue["canteen_meal"].uid))
    assert meal["organization_id"] == str(catalogue["canteen"].uid)
    assert meal["schedules"][0]["byday"] == "MO,TU,WE,TH,FR,SA,SU"
    assert meal["service_areas"][0]["extent"] == "210102001001"
    assert meal["cost_options"][0] == {"id": meal["cost_options"][0]["id"], "service_id": meal["id"],
                                       "option": "政府购买", "currency": "CNY", "amount": 12.0,
                                       "amount_description": "每次服务"}
    term = meal["attributes"][0]["taxonomy_term"]
    assert (term["code"], term["name"], term["taxonomy"]) == ("life.meal", "助餐", "minzheng-service-assistance")
    # The schema really is enforced: a wrong status and a missing name are caught.
    broken = copy.deepcopy(meal) | {"status": "open"}
    del broken["name"]
    assert len(hsds.validation_errors(broken, "service")) == 2
    assert hsds.export_catalogue() == (services, organizations)  # stable


def test_round_trip_changes_nothing(catalogue, users) -> None:
    services, organizations = hsds.export_catalogue()
    report = import_hsds(organizations, services, user=users["city"])
    assert (report.changed, report.rejected) == (0, [])
    assert report.unchanged == {"organizations": 3, "services": 5}
    # Into an empty catalogue: everything is created and exports identically.
    Offering.objects.all().delete()
    ProviderArea.objects.all().delete()
    Provider.objects.all().delete()
    report = import_hsds(json.loads(json.dumps(organizations)), json.loads(json.dumps(services)), user=users["city"])
    assert report.created == {"organizations": 3, "services": 5} and report.rejected == []
    assert hsds.export_catalogue() == (services, organizations)


def test_import_rejects_bad_objects_and_lands_the_rest(catalogue, users) -> None:
    services, organizations = hsds.export_catalogue()
    unknown_item = copy.deepcopy(services[0])
    unknown_item["attributes"][0]["taxonomy_term"]["code"] = "care.space-travel"
    bad_status = copy.deepcopy(services[1]) | {"status": "open"}
    capacity = copy.deepcopy(services[2])
    next(a for a in capacity["attributes"] if a["link_type"] == "capacity")["value"] = "7"
    report = import_hsds(organizations, [unknown_item, bad_status, capacity, *services[3:]], user=users["city"])
    assert [(k, i) for k, i, _ in report.rejected] == [("service", services[0]["id"]), ("service", services[1]["id"])]
    assert "care.space-travel" in report.rejected[0][2]
    assert "status" in report.rejected[1][2]
    assert report.updated == {"organizations": 0, "services": 1}
    assert Offering.objects.get(uid=services[2]["id"]).capacity == 7
    with pytest.raises(Exception):  # noqa: B017 - managers only
        import_hsds(organizations, services, user=users["caseworker_a"])


def test_cli_export_and_import(catalogue, tmp_path, capsys) -> None:
    assert main(["services", "export-hsds", str(tmp_path)]) == 0
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    organizations = json.loads((tmp_path / "organizations.json").read_text(encoding="utf-8"))
    assert (len(services), len(organizations)) == (5, 3)
    assert main(["services", "import-hsds", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "organizations: created 0, updated 0, unchanged 3" in out
    assert "services: created 0, updated 0, unchanged 5" in out
    (tmp_path / "services.json").write_text("{}", encoding="utf-8")
    assert main(["services", "import-hsds", str(tmp_path)]) == 2
    assert main(["services", "import-hsds", str(tmp_path / "missing")]) == 2
