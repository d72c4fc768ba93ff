"""The pages: scope, role refusals, the home-visit form, the evaluation with assumed values marked, the
resident's status lookup (same answer for every wrong pair, rate-limited)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minzheng.assistance import actions as a
from minzheng.assistance.models import Application, SupportingDocument
from minzheng.assistance.tests.support import district_review, evaluated, submitted
from minzheng.audit.models import AuditEvent
from minzheng.core.errors import InvalidChange
from minzheng.core.selectors import current_members
from minzheng.registry.models import Enrollment

D = dt.date


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_render_for_the_case_s_jurisdiction_and_404_outside(users, household_a) -> None:
    app = evaluated(users, household_a)
    urls = [reverse("assistance:index"), reverse("assistance:application_list"),
            reverse("assistance:application_detail", args=[app.pk]),
            reverse("assistance:household", args=[household_a.pk]),
            reverse("assistance:review_list"), reverse("assistance:temporary_list"),
            reverse("assistance:application_new") + f"?household={household_a.pk}"]
    for user in ("caseworker_a", "street", "district", "city", "auditor"):
        c = _client(users[user])
        for url in urls:
            assert c.get(url).status_code == 200, (user, url)
    outsider = _client(users["caseworker_b"])
    assert outsider.get(reverse("assistance:application_detail", args=[app.pk])).status_code == 404
    assert outsider.get(reverse("assistance:household", args=[household_a.pk])).status_code == 404
    assert str(app.number) not in outsider.get(reverse("assistance:application_list")).content.decode()
    assert _client(users["provider"]).get(reverse("assistance:index")).status_code == 403
    assert Client().get(reverse("assistance:index")).status_code == 302  # to the sign-in page


def test_detail_shows_the_evaluation_with_assumed_values_marked(users, household_a) -> None:
    app = evaluated(users, household_a)
    html = _client(users["street"]).get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert "1635.00" in html
    assert "本结果使用了假定值" in html and "dibao.standard" in html
    assert re.search(r"<strong>850</strong>，2025-07-01 起\s*<span class=\"assumed\">假定值 assumed</span>", html)
    assert 'data-step="street_approve"' in html and 'data-step="street_reject"' in html
    cw = _client(users["caseworker_a"]).get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert 'data-step="street_approve"' not in cw  # a community worker is not offered the street's step


def test_a_step_posted_by_the_wrong_role_is_403_and_changes_nothing(users, household_a) -> None:
    app = evaluated(users, household_a)
    url = reverse("assistance:application_act", args=[app.pk, "street_approve"])
    assert _client(users["caseworker_a"]).post(url, {"street_approve-opinion": "同意"}).status_code == 403
    assert _client(users["caseworker_b"]).post(url, {"street_approve-opinion": "同意"}).status_code == 404
    assert Application.objects.get(pk=app.pk).state == "evaluated"
    reply = _client(users["street"]).post(url, {"street_approve-opinion": "同意"})
    assert reply.status_code == 302
    assert Application.objects.get(pk=app.pk).state == "street_approved"
    reject = reverse("assistance:application_act", args=[app.pk, "street_reject"])
    assert _client(users["street"]).post(reject, {"street_reject-reasons": "x"}).status_code == 400  # illegal now


def test_submit_and_home_visit_through_the_forms(users, household_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    c = _client(users["caseworker_a"])
    reply = c.post(reverse("assistance:application_new"), {
        "household_no": household_a.household_no, "channel": "resident",
        "programmes": ["dibao", "tekun", "dibao_edge", "rigid_hardship"], "reason": "户主失业",
        "authorisation_signed": "on"})
    assert reply.status_code == 302
    app = Application.objects.get(household=household_a)
    assert (app.state, app.submitted_on) == ("accepted", timezone.localdate())
    act = reverse("assistance:application_act", args=[app.pk, "assign_investigators"])
    assert c.post(act, {"assign_investigators-investigator_1": users["caseworker_a"].pk,
                        "assign_investigators-investigator_2": users["street"].pk}).status_code == 302
    members = {}
    for m in current_members(household_a):
        p = f"m{m.person_id}-"
        members.update({p + "monthly_income": "1000" if m.relation == "户主" else "0", p + "financial_assets": "0"})
    photo = SimpleUploadedFile("visit.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    reply = c.post(reverse("assistance:investigation", args=[app.pk]), {
        "visit_date": timezone.localdate().isoformat(), "visit_record": "两人入户，户主失业在家",
        "residential_properties": "1", "commercial_properties": "0", "rigid_expenses_12m": "0",
        "doc_kind": "visit_photo", "documents": photo, "and_evaluate": "1", **members})
    assert reply.status_code == 302, reply.content.decode()[:2000]
    app.refresh_from_db()
    assert app.state == "evaluated"
    assert app.evaluations.get().category == "dibao"
    doc = SupportingDocument.objects.get(application=app)
    assert doc.file.name.startswith(f"assistance/{app.pk}/") and doc.original_name == "visit.jpg"
    got = c.get(reverse("assistance:document", args=[app.pk, doc.pk]))
    assert got.status_code == 200 and got.getvalue() == b"\xff\xd8\xff fake jpeg"
    assert AuditEvent.objects.filter(action="view_sensitive", object_type="assistance.supportingdocument").exists()
    assert _client(users["caseworker_b"]).get(reverse("assistance:document", args=[app.pk, doc.pk])).status_code == 404


def test_future_dates_are_refused_by_the_forms(users, household_a) -> None:
    app = submitted(users, household_a, timezone.localdate())
    act = reverse("assistance:application_act", args=[app.pk, "assign_investigators"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    reply = _client(users["caseworker_a"]).post(act, {
        "assign_investigators-investigator_1": users["caseworker_a"].pk,
        "assign_investigators-investigator_2": users["street"].pk, "assign_investigators-on": tomorrow})
    assert reply.status_code == 400 and "不能晚于今天" in reply.content.decode()


def test_household_page_lets_the_district_reduce(users, household_a) -> None:
    app = district_review(users, household_a)
    enrollment = a.district_approve(app, user=users["district"], on=D(2025, 10, 9))[0]
    url = reverse("assistance:enrollment_act", args=[enrollment.pk, "amount"])
    refused = _client(users["caseworker_a"]).post(url, {"amount-new_amount": "900", "amount-reason": "x"})
    assert refused.status_code == 403
    reply = _client(users["district"]).post(url, {"amount-new_amount": "900", "amount-reason": "配偶就业"})
    assert reply.status_code == 302
    assert Enrollment.objects.filter(household=household_a, monthly_amount=900).count() == 1


RIGHT, WRONG = "right", "wrong"


@pytest.fixture
def lookup(users, household_a):
    cache.clear()
    app = submitted(users, household_a, D(2025, 9, 26))
    head = app.applicant

    def ask(number: str, idn: str, ip: str = "10.0.0.1") -> tuple[int, str]:
        reply = Client(REMOTE_ADDR=ip).post(reverse("assistance:status"), {"number": number, "id_number": idn})
        html = reply.content.decode()
        return reply.status_code, html[html.index('id="status-result"'):html.index("</section>", html.index(
            'id="status-result"'))]

    yield app, head, ask
    cache.clear()


def test_resident_sees_state_date_and_next_step_for_the_right_pair(lookup) -> None:
    app, head, ask = lookup
    code, answer = ask(app.number, head.id_number.lower())
    assert code == 200
    assert "已受理" in answer and "2025年9月26日" in answer and "入户调查" in answer
    for hidden in (head.name, app.household.household_no, app.household.address):
        assert hidden not in answer


def test_wrong_pairs_and_unknown_numbers_answer_the_same(lookup, household_b, users) -> None:
    app, head, ask = lookup
    other = a.submit_application(user=users["caseworker_b"], household=household_b, channel="resident",
                                 authorisation_signed=True, on=D(2025, 9, 26))
    answers = {
        ask(app.number, other.applicant.id_number),  # someone else's ID
        ask(other.number, head.id_number),  # someone else's application
        ask("SQ20250926999999", head.id_number),  # no such number
        ask(app.number, "210102197005011234"),  # malformed (bad check digit)
        ask("x" * 20, "not an id"),
    }
    assert len(answers) == 1
    code, text = answers.pop()
    assert code == 200 and "未查到" in text


def test_lookups_are_rate_limited_per_address(lookup) -> None:
    app, head, ask = lookup
    for _ in range(10):
        ask("SQ0", head.id_number, ip="10.0.0.9")
    assert ask(app.number, head.id_number, ip="10.0.0.9")[0] == 429
    assert ask(app.number, head.id_number, ip="10.0.0.10")[0] == 200  # another address is not affected


def test_list_and_workbench_query_counts_do_not_grow_with_rows(users, django_assert_max_num_queries) -> None:
    from minzheng.testing import factories as f

    c = _client(users["street"])
    for i in range(2):
        evaluated(users, f.make_household(f.COMMUNITY_A, members=2, no=f"SY-Q{i}"))
    with django_assert_max_num_queries(12) as few:
        assert c.get(reverse("assistance:application_list")).status_code == 200
    with django_assert_max_num_queries(14) as few_index:
        assert c.get(reverse("assistance:index")).status_code == 200
    for i in range(2, 8):
        evaluated(users, f.make_household(f.COMMUNITY_A, members=2, no=f"SY-Q{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(reverse("assistance:application_list"))
    with django_assert_max_num_queries(len(few_index.captured_queries)):
        c.get(reverse("assistance:index"))


def test_only_scans_and_photos_are_taken(users, household_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    page = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    with pytest.raises(InvalidChange, match="图片或 PDF"):
        a.submit_application(user=users["caseworker_a"], household=household_a, channel="resident",
                             authorisation_file=page, on=D(2025, 9, 26))
    assert not Application.objects.exists()
