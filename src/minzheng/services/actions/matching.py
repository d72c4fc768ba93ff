"""Match runs: open needs × free places → optimal assignment (``matching.py``) → referrals pushed to providers.

A run is keyed (idempotent): starting a run with an existing key returns that run; executing a finished run
returns its figures without touching anything. The work of a run is one transaction (matches, referrals,
need states, audit), so a crash leaves nothing half-done and a retry starts clean. Only *open* needs take
part; places held by live referrals (pending, accepted, in service) are subtracted from capacity, so
re-matching never disturbs what was already sent or accepted. A need is never proposed again to an offering
that declined it or let it expire.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.core.models import Area
from minzheng.services import geo
from minzheng.services import matching as mt
from minzheng.services.actions._guard import require_staff
from minzheng.services.choices import (
    ACCEPT_WITHIN_WORKING_DAYS,
    LEVEL_RANK,
    PRIORITY_ORDER,
    RUNS_MATCHING,
    NeedLevel,
    NeedStatus,
    OfferingStatus,
    Priority,
    ReferralStatus,
    RunStatus,
    weekday_text,
)
from minzheng.services.models import Match, MatchRun, Need, Offering, Referral, ReferralEvent
from minzheng.services.selectors import offering_load
from minzheng.services.workdays import add_working_days

CITY_CODE = "210100000000"
WEIGHTS = mt.Weights()


def new_key(scope: Area | None) -> str:
    """A fresh run key: area, local time, a random tail (a form carries one, so a double click is one run)."""
    return f"{(scope.code if scope else CITY_CODE)}-{timezone.localtime():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def start_run(*, user: Any, scope: Area | None = None, key: str = "", enqueue: bool = True) -> MatchRun:
    """Create (or find, by ``key``) a run over the open needs under ``scope`` and queue it as a task.

    Staff run it for their jurisdiction (default: all of it); ``user=None`` is the system."""
    if user is not None:
        if user.jurisdiction_id is None:
            raise Forbidden("当前账号没有管辖范围")
        scope = scope or user.jurisdiction
        require_staff(user, scope.code, RUNS_MATCHING)
    key = key or new_key(scope)
    with transaction.atomic():
        run, created = MatchRun.objects.get_or_create(
            key=key,
            defaults={"scope": scope, "requested_by": user if getattr(user, "is_authenticated", False) else None},
        )
        if not created and run.status != RunStatus.FAILED:
            return run
        if not created:
            run.status = RunStatus.QUEUED
            run.error = ""
            run.save(update_fields=["status", "error"])
        record(user, AuditAction.CREATE, run, area_code=scope.code if scope else "",
               summary=f"发起服务匹配 {key}")
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run.key))
    return run


def _enqueue(key: str) -> None:
    from minzheng.services.tasks import run_matching

    result = run_matching.enqueue(key)
    MatchRun.objects.filter(key=key, task_id="").update(task_id=str(result.id)[:64])


def execute_run(key: str) -> dict[str, Any]:
    """Run the match (the body of the background task; safe to call again). The deadline sweep runs first,
    so that needs whose referral expired are matched again at once."""
    from minzheng.services.actions.referrals import escalate_overdue

    escalate_overdue()
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(key=key)
        if run.status == RunStatus.DONE:
            return dict(run.stats)
        MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    try:
        with transaction.atomic():
            run = MatchRun.objects.select_for_update().get(key=key)
            if run.status == RunStatus.DONE:
                return dict(run.stats)
            stats = _match(run)
            run.status = RunStatus.DONE
            run.stats = stats
            run.finished_at = timezone.now()
            run.error = ""
            run.save(update_fields=["status", "stats", "finished_at", "error"])
            record(None, AuditAction.UPDATE, run, area_code=run.scope_id or "",
                   summary=f"服务匹配完成 {key}：{stats['served']}/{stats['needs']} 项需求已转介",
                   after={k: v for k, v in stats.items() if k != "by_item"})
            return stats
    except Exception as exc:
        MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000],
                                                  finished_at=timezone.now())
        raise


# --- the problem as arrays ---------------------------------------------------------------------------------

def _point(lat: float | None, lng: float | None, code: str) -> tuple[float, float]:
    return (lat, lng) if lat is not None and lng is not None else geo.standin_point(code)


def _class_mask(categories: list[str]) -> int:
    if not categories:
        return mt.ALL_CLASSES_MASK
    mask = 0
    for code in categories:
        if code in PRIORITY_ORDER:
            mask |= 1 << PRIORITY_ORDER.index(code)
    return mask


def build_problem(needs: list[Need], offerings: list[Offering], free: dict[int, int], today: dt.date,
                  now: dt.datetime) -> tuple[mt.Needs, mt.Offers, np.ndarray]:
    tags = {code: i for i, code in enumerate(sorted({n.item.code for n in needs} | {o.item.code for o in offerings}))}
    n_points = [_point(n.lat, n.lng, n.area_id) for n in needs]
    problem_needs = mt.Needs.build(
        xy=geo.to_xy_km(np.array([p[0] for p in n_points]), np.array([p[1] for p in n_points])),
        tag=[tags[n.item.code] for n in needs],
        area=[int(n.area_id) for n in needs],
        klass=[PRIORITY_ORDER.index(n.priority) for n in needs],
        level=[LEVEL_RANK[NeedLevel(n.level)] for n in needs],
        wait_days=[max(0, (now - n.opened_at).days) for n in needs],
        weekdays=[n.weekdays for n in needs],
        age=[n.person.age_on(today) if n.person else -1 for n in needs],
        disabled=[bool(n.person and n.person.disability_type) for n in needs],
    )
    o_points = []
    coverage = []
    for o in offerings:
        codes = [pa.area_id for pa in o.provider.areas.all()]
        coverage.append(codes)
        o_points.append(_point(o.provider.lat, o.provider.lng, codes[0] if codes else CITY_CODE))
    problem_offers = mt.Offers.build(
        xy=geo.to_xy_km(np.array([p[0] for p in o_points]), np.array([p[1] for p in o_points])),
        tag=[tags[o.item.code] for o in offerings],
        capacity=[free.get(o.pk, 0) for o in offerings],
        coverage=coverage,
        rating=[float(o.provider.rating) for o in offerings],
        weekdays=[o.weekdays for o in offerings],
        class_mask=[_class_mask(o.eligible_categories) for o in offerings],
        min_age=[o.min_age or 0 for o in offerings],
        max_age=[o.max_age if o.max_age is not None else mt.NO_MAX_AGE for o in offerings],
        needs_disability=[o.requires_disability for o in offerings],
    )
    penalty = WEIGHTS.penalty(problem_needs.klass, problem_needs.level, problem_needs.wait_days)
    return problem_needs, problem_offers, penalty


def _exclusions(needs: list[Need], offerings: list[Offering]) -> np.ndarray:
    need_index = {n.pk: i for i, n in enumerate(needs)}
    offer_index = {o.pk: j for j, o in enumerate(offerings)}
    pairs = Referral.objects.filter(
        need_id__in=list(need_index), status__in=[ReferralStatus.DECLINED, ReferralStatus.EXPIRED]
    ).values_list("need_id", "offering_id")
    return np.array([(need_index[n], offer_index[o]) for n, o in pairs if o in offer_index],
                    dtype=np.int64).reshape(-1, 2)


def _match(run: MatchRun) -> dict[str, Any]:
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    prefix = run.scope.prefix if run.scope else "2101"
    # Lock the offerings: two runs never hand out the same place.
    offer_ids = list(
        Offering.objects.select_for_update()
        .filter(status=OfferingStatus.ACTIVE, provider__active=True)
        .values_list("pk", flat=True)
    )
    offerings = list(
        Offering.objects.filter(pk__in=offer_ids).select_related("provider", "item")
        .prefetch_related("provider__areas__area").order_by("pk")
    )
    needs = list(
        Need.objects.select_for_update(of=("self",))
        .filter(status=NeedStatus.OPEN, area__code__startswith=prefix)
        .select_related("item", "person", "area").order_by("pk")
    )
    load = offering_load()
    free = {o.pk: max(0, o.capacity - load.get(o.pk, 0)) for o in offerings}
    stats: dict[str, Any] = {"needs": len(needs), "offerings": len(offerings), "places": sum(free.values())}
    if not needs:
        return stats | {"served": 0, "unserved": 0, "objective": 0, "status": "OPTIMAL", "arcs": 0,
                        "seconds": round(time.perf_counter() - started, 3), "by_item": {}}
    p_needs, p_offers, penalty = build_problem(needs, offerings, free, today, now)
    cands = mt.candidates(p_needs, p_offers, weights=WEIGHTS, exclude=_exclusions(needs, offerings))
    result = mt.solve(cands, penalty, p_offers.capacity, need_group=p_needs.tag, offer_group=p_offers.tag)
    if result.status != "OPTIMAL":
        raise InvalidChange(f"匹配求解失败：{result.status}")
    certificate = mt.certify(result, cands, penalty, p_offers.capacity)
    respond_by = add_working_days(timezone.localtime(now), ACCEPT_WITHIN_WORKING_DAYS)
    by_item: dict[str, list[int]] = {}
    served = 0
    for i, need in enumerate(needs):
        j = int(result.assignment[i])
        offering = offerings[j] if j >= 0 else None
        data = mt.explain(i, result, cands, penalty, p_offers.capacity)
        match = Match.objects.create(run=run, need=need, offering=offering, cost=int(result.arc_cost[i]),
                                     explanation=describe(data, need, offering, offerings, now))
        counts = by_item.setdefault(need.item.name, [0, 0])
        counts[0] += 1
        if offering is None:
            continue
        served += 1
        counts[1] += 1
        referral = Referral.objects.create(need=need, offering=offering, match=match, created_at=now,
                                           created_by=run.requested_by, respond_by=respond_by)
        ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.PENDING, at=now,
                                     actor=run.requested_by, note=f"匹配运行 {run.key} 自动转介")
        need.status = NeedStatus.REFERRED
        need.save(update_fields=["status"])
        record(run.requested_by, AuditAction.CREATE, referral, area_code=need.area_id,
               summary=f"转介 {need.item.name} → {offering.provider.name}")
    return stats | {
        "served": served, "unserved": len(needs) - served, "objective": result.objective,
        "status": result.status, "certified": certificate.optimal, "arcs": cands.n_arcs,
        "seconds": round(time.perf_counter() - started, 3), "by_item": by_item,
    }


def _covering_area(need: Need, offering: Offering) -> str:
    best = None
    for pa in offering.provider.areas.all():
        if need.area_id.startswith(pa.area.prefix) and (best is None or len(pa.area.prefix) > len(best.prefix)):
            best = pa.area
    return best.name if best else "—"


def describe(data: dict[str, Any], need: Need, offering: Offering | None, offerings: list[Offering],
             now: dt.datetime) -> dict[str, Any]:
    """The stored explanation: the solver's data plus the reasons in words (why this provider)."""
    wait = max(0, (now - need.opened_at).days)
    out = dict(data)
    out["priority"] = Priority(need.priority).label
    out["level"] = NeedLevel(need.level).label
    out["wait_days"] = wait
    funnel = data["funnel"]
    reasons = [f"优先级：{Priority(need.priority).label}，需求等级{NeedLevel(need.level).label}，已等待 {wait} 天"]
    if offering is None:
        if data["reason"] == "no_candidate":
            reasons.append(
                f"暂无可匹配机构：提供“{need.item.name}”的机构 {funnel[0]} 家，服务范围覆盖本社区 {funnel[1]} 家，"
                f"符合服务条件 {funnel[2]} 家，服务时间可约 {funnel[3]} 家"
            )
        else:
            names = "、".join(offerings[j].provider.name for j in data["full"][:3])
            reasons.append(f"符合条件的 {data['candidates']} 家机构名额已被优先级更高或距离更近的对象占满：{names}")
        out["reasons"] = reasons
        return out
    reasons += [
        f"服务项目一致：{need.item.name}",
        f"服务范围覆盖：{_covering_area(need, offering)}",
        "服务条件符合：" + (offering.eligibility_description or "无特别限制"),
        f"服务时间可约：{weekday_text(need.weekdays & offering.weekdays)}",
        f"名额：本次匹配后剩余 {data['places_left']} 个",
        f"距离约 {data['distance_km']} 公里，机构评分 {offering.provider.rating}",
        f"在 {data['candidates']} 家符合条件的机构中综合成本排第 {data['rank']}",
    ]
    if data["cheaper_full"]:
        names = "、".join(offerings[j].provider.name for j in data["cheaper_full"][:3])
        reasons.append(f"排在前面的 {names} 名额已满")
    out["provider"] = offering.provider.name
    out["reasons"] = reasons
    return out
