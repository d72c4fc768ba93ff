"""The quality report pages: counters and rejection reasons per file, for data operators only."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.intake.models import ImportFile, ImportRun


@pytest.fixture
def run(tmp_path, db):
    (tmp_path / "report.json").write_text(json.dumps({"files": [
        {"name": "deaths.csv", "reasons": {"id_check_digit": 3, "date_format": 1}, "unmatched_population": 7},
    ]}), encoding="utf-8")
    r = ImportRun.objects.create(run_id="20250731-0001", started_at=timezone.now(), directory="/data/2025-07",
                                 status="succeeded", report_path=str(tmp_path))
    ImportFile.objects.create(run=r, name="deaths.csv", kind="deaths", status="taken", rows_read=120,
                              rows_taken=116, rows_created=116, rows_rejected=4, ids_repaired=9)
    return r


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_operator_sees_the_quality_report(users, run) -> None:
    client = signed_in(users["operator"])
    listing = client.get("/imports/").content.decode()
    assert "20250731-0001" in listing
    page = client.get(f"/imports/{run.pk}/").content.decode()
    for text in ("deaths.csv", ">120<", ">116<", ">4<", ">9<", "id_check_digit</span> 3", "date_format</span> 1",
                 "unmatched_population: 7"):
        assert text in page


def test_other_roles_are_refused(users, run) -> None:
    assert signed_in(users["caseworker_a"]).get("/imports/").status_code == 403
    assert signed_in(users["auditor"]).get(f"/imports/{run.pk}/").status_code == 403
    assert signed_in(users["city"]).get(f"/imports/{run.pk}/").status_code == 200
    assert signed_in(users["operator"]).get("/imports/99999/").status_code == 404
