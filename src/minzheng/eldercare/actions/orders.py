"""Home-care orders along ``workflow.ORDER_TRANSITIONS``: an order by the elder or a relative on a phone (the
public page: the elder's ID number with the elder's own or a registered family phone) or by a caseworker;
dispatch to an enterprise (automatic when one serves the area and category); assignment to a worker by
the enterprise's dispatcher; check-in and check-out by the worker with time and place; a rating."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.core.masking import mask_phone
from minzheng.core.models import Person
from minzheng.eldercare.actions._guard import acting, require_staff
from minzheng.eldercare.actions.providers import require_enterprise_user
from minzheng.eldercare.choices import CASEWORKERS, OPEN_ORDER_STATUSES, Channel, OrderStatus
from minzheng.eldercare.models import Enterprise, FamilyContact, Order, OrderEvent, Rating, ServiceCategory, Visit
from minzheng.eldercare.selectors import person_area, worker_of
from minzheng.eldercare.workflow import ORDER_TRANSITIONS, move

MAX_HOURS = Decimal("8")


def _move(order: Order, to: str, *, user: Any, note: str = "") -> None:
    move(order, to, table=ORDER_TRANSITIONS, labels=OrderStatus, event_model=OrderEvent, link="order", user=user,
         note=note)


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def choose_enterprise(area_code: str, category: ServiceCategory) -> Enterprise | None:
    """The active enterprise serving the area with the category and the fewest open orders."""
    candidates = [e for e in Enterprise.objects.filter(active=True, categories=category)
                  .annotate(open=Count("orders", filter=Q(orders__status__in=OPEN_ORDER_STATUSES)))
                  .select_related("area").order_by("open", "pk") if area_code.startswith(e.area.prefix)]
    return candidates[0] if candidates else None


def identify_elder(id_number: str, phone: str) -> tuple[Person, str, FamilyContact | None]:
    """The public page's check: the elder's ID number and either the elder's phone or a registered family
    phone. Any mismatch gives the same answer (no hint which part was wrong)."""
    wrong = NotFound("身份证号或手机号不正确（家属手机号须事先在社区登记）")
    try:
        idn = normalise(id_number)
    except InvalidIDNumber:
        raise wrong from None
    digits = "".join(ch for ch in phone if ch.isdigit())
    person = Person.objects.filter(id_number=idn, death_date__isnull=True).first()
    if person is None or len(digits) != 11:
        raise wrong
    contact = FamilyContact.objects.filter(person=person, phone=digits).first()
    if contact is not None:
        return person, Channel.RELATIVE, contact
    if person.phone and "".join(ch for ch in person.phone if ch.isdigit()) == digits:
        return person, Channel.ELDER, None
    raise wrong


@transaction.atomic
def place_order(*, user: Any, person: Person, category_code: str, scheduled_at: dt.datetime, hours: Decimal,
                address: str, contact_name: str, contact_phone: str, contact_relation: str = "",
                channel: str = Channel.CASEWORKER, note: str = "", dispatch: bool = True) -> Order:
    """A caseworker's order (``user`` in scope), or — with ``user`` a label string or ``None`` and channel
    elder/relative — one from the public page after :func:`identify_elder`. Dispatched at once when an
    enterprise serves the area and the category."""
    area = person_area(person)
    staff = getattr(user, "is_authenticated", False)
    if staff:
        require_staff(user, area, CASEWORKERS)
        channel = Channel.CASEWORKER
    elif channel not in (Channel.ELDER, Channel.RELATIVE):
        raise InvalidChange("下单渠道无效")
    if not area:
        raise InvalidChange("该老人没有所在社区，请先在社区登记")
    if person.death_date is not None:
        raise InvalidChange("服务对象已死亡")
    category = ServiceCategory.objects.filter(code=category_code, active=True).first()
    if category is None:
        raise InvalidChange("服务类别无效")
    if not Decimal("0.5") <= hours <= MAX_HOURS:
        raise InvalidChange(f"预约时长应为0.5至{MAX_HOURS}小时")
    if not address.strip() or not contact_name.strip() or not contact_phone.strip():
        raise InvalidChange("请填写服务地址、联系人和联系电话")
    order = Order.objects.create(
        number=f"JJ{timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}", person=person, area_id=area,
        category=category, channel=channel, placed_by=acting(user), contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(), contact_relation=contact_relation.strip(), address=address.strip(),
        scheduled_at=scheduled_at, hours=hours, note=note.strip())
    OrderEvent.objects.create(order=order, from_status=OrderStatus.ORDERED, to_status=OrderStatus.ORDERED,
                              actor=acting(user), at=timezone.now(), note=Channel(channel).label)
    record(user, AuditAction.CREATE, order, area_code=area,
           summary=f"居家服务下单 {order.number}：{person.name} {category.name} {hours} 小时"
           f"（{Channel(channel).label}）",
           after={"person_id": person.pk, "category": category.code, "scheduled_at": scheduled_at.isoformat(),
                  "hours": str(hours), "channel": channel, "contact_phone": mask_phone(contact_phone)})
    if dispatch:
        enterprise = choose_enterprise(area, category)
        if enterprise is not None:
            _dispatch(order, enterprise, user=user, note="系统自动派单")
    return order


def _dispatch(order: Order, enterprise: Enterprise, *, user: Any, note: str) -> None:
    _move(order, OrderStatus.DISPATCHED, user=user, note=f"{enterprise.name}：{note}")
    order.enterprise, order.worker = enterprise, None
    order.save(update_fields=["status", "enterprise", "worker"])
    record(user, AuditAction.UPDATE, order, area_code=order.area_id,
           summary=f"工单 {order.number} 派给 {enterprise.name}", after={"enterprise_id": enterprise.pk})


@transaction.atomic
def dispatch_order(*, user: Any, order: Order, enterprise: Enterprise) -> Order:
    """A caseworker sends an order to an enterprise (first time, or to another one)."""
    order = _lock(order)
    require_staff(user, order.area_id, CASEWORKERS)
    if not enterprise.active or not enterprise.categories.filter(pk=order.category_id).exists():
        raise InvalidChange("该企业不提供此类服务")
    if not order.area_id.startswith(enterprise.area.prefix):
        raise InvalidChange("该企业的服务区域不含该社区")
    _dispatch(order, enterprise, user=user, note="人工派单")
    return order


@transaction.atomic
def assign_worker(*, user: Any, order: Order, worker_id: int) -> Order:
    """The enterprise's dispatcher assigns one of its active workers."""
    order = _lock(order)
    require_enterprise_user(user, order.enterprise_id, manager=True)
    worker = order.enterprise.workers.filter(pk=worker_id, active=True).first() if order.enterprise else None
    if worker is None:
        raise InvalidChange("请选择本企业在岗的服务人员")
    _move(order, OrderStatus.ASSIGNED, user=user, note=worker.name)
    order.worker = worker
    order.save(update_fields=["status", "worker"])
    record(user, AuditAction.UPDATE, order, area_code=order.area_id,
           summary=f"工单 {order.number} 派给服务人员 {worker.name}", after={"worker_id": worker.pk})
    return order


def _place(lat: Decimal | None, lng: Decimal | None, place: str) -> None:
    if (lat is None) != (lng is None):
        raise InvalidChange("定位数据不完整")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidChange("定位数据无效")
    if lat is None and not place.strip():
        raise InvalidChange("无法定位时请填写所在地点")


def _own_order(user: Any, order: Order) -> None:
    worker = worker_of(user)
    if worker is None or order.worker_id != worker.pk:
        raise NotFound("未找到该工单")


@transaction.atomic
def check_in(*, user: Any, order: Order, lat: Decimal | None = None, lng: Decimal | None = None, place: str = "",
             at: dt.datetime | None = None) -> Visit:
    """The assigned worker arrives: time and place (coordinates from the phone, or the address typed)."""
    order = _lock(order)
    if user is not None:
        _own_order(user, order)
    _place(lat, lng, place)
    _move(order, OrderStatus.CHECKED_IN, user=user)
    if order.worker_id is None:
        raise InvalidChange("工单尚未派给服务人员")
    order.save(update_fields=["status"])
    visit = Visit.objects.create(order=order, worker_id=order.worker_id, check_in_at=at or timezone.now(),
                                 check_in_lat=lat, check_in_lng=lng, check_in_place=place.strip())
    record(user, AuditAction.CREATE, visit, area_code=order.area_id,
           summary=f"工单 {order.number} 签到 {timezone.localtime(visit.check_in_at):%Y-%m-%d %H:%M}",
           after={"lat": str(lat) if lat is not None else None, "lng": str(lng) if lng is not None else None,
                  "place": visit.check_in_place})
    return visit


@transaction.atomic
def check_out(*, user: Any, order: Order, record_text: str, lat: Decimal | None = None,
              lng: Decimal | None = None, place: str = "", at: dt.datetime | None = None) -> Visit:
    order = _lock(order)
    if user is not None:
        _own_order(user, order)
    _place(lat, lng, place)
    visit = Visit.objects.select_for_update().get(order=order)
    when = at or timezone.now()
    if when < visit.check_in_at:
        raise InvalidChange("签退时间早于签到时间")
    if not record_text.strip():
        raise InvalidChange("请填写服务记录")
    _move(order, OrderStatus.CHECKED_OUT, user=user)
    order.save(update_fields=["status"])
    visit.check_out_at, visit.check_out_lat, visit.check_out_lng = when, lat, lng
    visit.check_out_place, visit.record = place.strip(), record_text.strip()
    visit.save()
    minutes = int((when - visit.check_in_at).total_seconds() // 60)
    record(user, AuditAction.UPDATE, visit, area_code=order.area_id,
           summary=f"工单 {order.number} 签退，服务 {minutes} 分钟",
           after={"check_out_at": when.isoformat(), "minutes": minutes, "place": visit.check_out_place})
    return visit


@transaction.atomic
def rate_order(*, user: Any, order: Order, score: int, comment: str = "", channel: str = Channel.CASEWORKER
               ) -> Rating:
    """The elder, a relative (public page) or a caseworker (``user`` in scope) rates a finished visit."""
    order = _lock(order)
    if getattr(user, "is_authenticated", False):
        require_staff(user, order.area_id, CASEWORKERS)
        channel = Channel.CASEWORKER
    if not 1 <= int(score) <= 5:
        raise InvalidChange("评分应为1至5分")
    _move(order, OrderStatus.RATED, user=user)
    order.save(update_fields=["status"])
    rating = Rating.objects.create(order=order, score=int(score), comment=comment.strip(), channel=channel)
    record(user, AuditAction.CREATE, rating, area_code=order.area_id,
           summary=f"工单 {order.number} 评价 {score} 分", after={"score": int(score), "comment": rating.comment})
    return rating


@transaction.atomic
def cancel_order(*, user: Any, order: Order, reason: str) -> Order:
    order = _lock(order)
    if getattr(user, "is_authenticated", False):
        from minzheng.eldercare.selectors import membership_of

        membership = membership_of(user)
        if membership is not None:
            require_enterprise_user(user, order.enterprise_id, manager=True)
        else:
            require_staff(user, order.area_id, CASEWORKERS)
    if not reason.strip():
        raise InvalidChange("请填写取消原因")
    _move(order, OrderStatus.CANCELLED, user=user, note=reason.strip())
    order.save(update_fields=["status"])
    record(user, AuditAction.UPDATE, order, area_code=order.area_id, summary=f"取消工单 {order.number}",
           reason=reason.strip())
    return order
