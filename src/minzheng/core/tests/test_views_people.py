"""Person detail and the logged reveal of a full ID number or phone."""

from __future__ import annotations

from minzheng.audit.models import AuditEvent
from minzheng.authz.models import User
from minzheng.core.masking import mask_id, mask_phone
from minzheng.core.models import Household, Person
from minzheng.web.tests.support import head_of, signed_in


def test_person_detail_is_masked(users: dict[str, User], household_a: Household) -> None:
    head = head_of(household_a)
    Person.objects.filter(pk=head.pk).update(phone="13600001234", disability_type="肢体", disability_grade=2)
    response = signed_in(users["caseworker_a"]).get(f"/people/{head.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert mask_id(head.id_number) in html and head.id_number not in html
    assert "136****1234" in html and "13600001234" not in html
    assert "肢体 2 级" in html
    assert household_a.household_no in html
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_reveal_shows_the_full_number_and_logs_the_view(users: dict[str, User], household_a: Household) -> None:
    head = head_of(household_a)
    client = signed_in(users["caseworker_a"])
    response = client.post(f"/people/{head.pk}/reveal/", {"field": "id_number", "household": household_a.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert head.id_number in html
    spouse = household_a.memberships.get(relation="配偶").person
    assert spouse.id_number not in html and mask_id(spouse.id_number) in html  # only the one asked for
    assert response["Cache-Control"] == "no-store, private"
    ev = AuditEvent.objects.get(action="view_sensitive")
    assert (ev.actor_username, ev.object_type, ev.object_id, ev.area_code, ev.after, ev.ip) == (
        "caseworker_a", "core.person", str(head.pk), household_a.area_id, {"field": "id_number"}, "127.0.0.1")
    assert ev.summary == "查看 王建国 的完整公民身份号码"


def test_reveal_as_json_for_the_script(users: dict[str, User], household_a: Household) -> None:
    head = head_of(household_a)
    Person.objects.filter(pk=head.pk).update(phone="13600001234")
    response = signed_in(users["street"]).post(f"/people/{head.pk}/reveal/", {"field": "phone"},
                                               HTTP_ACCEPT="application/json")
    assert response.json() == {"field": "phone", "value": "13600001234"}
    assert AuditEvent.objects.get(action="view_sensitive").after == {"field": "phone"}


def test_reveal_on_the_person_page(users: dict[str, User], household_a: Household) -> None:
    head = head_of(household_a)
    response = signed_in(users["caseworker_a"]).post(f"/people/{head.pk}/reveal/", {"field": "id_number"})
    assert response.context["id_number"] == head.id_number
    assert response.context["phone"] == mask_phone(head.phone)


def test_reveal_refusals(users: dict[str, User], household_a: Household, household_b: Household) -> None:
    head_b = head_of(household_b)
    assert signed_in(users["caseworker_a"]).post(f"/people/{head_b.pk}/reveal/",
                                                 {"field": "id_number"}).status_code == 404
    head_a = head_of(household_a)
    assert signed_in(users["caseworker_a"]).post(f"/people/{head_a.pk}/reveal/",
                                                 {"field": "password"}).status_code == 404
    assert signed_in(users["caseworker_a"]).get(f"/people/{head_a.pk}/reveal/").status_code == 405
    assert signed_in(users["provider"]).post(f"/people/{head_a.pk}/reveal/",
                                             {"field": "id_number"}).status_code == 403
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()
