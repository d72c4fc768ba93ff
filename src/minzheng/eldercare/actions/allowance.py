"""High-age allowance actions: the monthly automatic enrolment (免申即享) and residents' applications at any
community (全市通办).

:func:`run_month` exports what the archive knows (people aged 80 or more, the members of tekun/dibao/
dibao_edge households, current ``high_age`` enrollments) as Arrow tables with ``values_list`` queries,
lets DuckDB compute the month's delta over the population Parquet (:mod:`minzheng.eldercare.allowance_sql`),
and lands it in one transaction (:func:`minzheng.registry.actions.high_age.apply_month`) with a summary
audit event and the run's figures. Idempotent per month: a second run of the same month finds nothing to
do. The payments app pays these enrollments month by month (it does not exist yet).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from minzheng.analytics.population import lookup as population_lookup
from minzheng.analytics.population import snapshot_path
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.actions.people import checked_identity, register_person
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Area, HouseholdMember, Person
from minzheng.eldercare import allowance_sql
from minzheng.eldercare.allowance_sql import Rates
from minzheng.eldercare.choices import CASEWORKERS, RunStatus
from minzheng.eldercare.models import AllowanceRun, HighAgeApplication
from minzheng.eldercare.selectors import is_low_income
from minzheng.registry.actions.enrollments import enroll
from minzheng.registry.actions.high_age import apply_month, source_key
from minzheng.registry.choices import Programme
from minzheng.registry.models import Enrollment
from minzheng.registry.selectors import active_enrollments
from minzheng.rules.model import Month

LOW_INCOME = (Programme.TEKUN, Programme.DIBAO, Programme.DIBAO_EDGE)
Echo = Callable[[str], None]


class AlreadyEnrolled(InvalidChange):
    """The person already has a current high-age allowance."""


class NotEligible(InvalidChange):
    """Nothing is due to the person in the month."""


def parse_month(text: str | Month) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise InvalidChange(f"月份应为 YYYY-MM：{text}") from None


# -- exports ------------------------------------------------------------------------------------------------

def _table(schema: pa.Schema, rows: list[tuple[Any, ...]]) -> pa.Table:
    columns: list[list[Any]] = [[row[i] for row in rows] for i in range(len(schema))]
    return pa.table([pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema)


def export_persons(rates: Rates) -> pa.Table:
    """Archive people aged 80 or more in the month (their pk and any recorded death)."""
    rows = list(Person.objects.filter(birth_date__lt=rates.cutoff).values_list("pk", "id_number", "death_date"))
    return _table(allowance_sql.PERSONS_SCHEMA, rows)


def export_low_income(rates: Rates) -> pa.Table:
    """ID numbers of people aged 80 or more who, on the month's first day, are members of a household with a
    current tekun/dibao/dibao_edge enrollment (household- or person-level), or hold one themselves."""
    day = rates.month.first_day
    active = active_enrollments(day).filter(programme__in=LOW_INCOME)
    members = HouseholdMember.objects.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    holders = active.filter(person__isnull=False).values("person_id")
    households = active.filter(household__isnull=False).values("household_id")
    via_person = members.filter(person_id__in=holders).values("household_id")
    ids = (Person.objects.filter(birth_date__lt=rates.cutoff)
           .filter(Q(pk__in=holders) | Q(pk__in=members.filter(household_id__in=households).values("person_id"))
                   | Q(pk__in=members.filter(household_id__in=via_person).values("person_id")))
           .values_list("id_number"))
    return _table(allowance_sql.LOW_INCOME_SCHEMA, list(ids))


def export_current(rates: Rates) -> pa.Table:
    """``high_age`` enrollments running on or after the month's first day."""
    first = rates.month.first_day
    rows = list(
        Enrollment.objects.filter(programme=Programme.HIGH_AGE, person__isnull=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("pk", "person_id", "person__id_number", "person__birth_date", "person__death_date",
                     "person__area_id", "start_date", "end_date", "monthly_amount")
    )
    return _table(allowance_sql.CURRENT_SCHEMA, rows)


# -- the monthly run ------------------------------------------------------------------------------------------

@dataclass
class Sources:
    population: Path | None
    deaths: list[Path]

    @classmethod
    def default(cls) -> Sources:
        data_dir = Path(settings.DATA_DIR)
        return cls(population=snapshot_path(data_dir), deaths=allowance_sql.deaths_files(data_dir))


def _require_runner(user: Any) -> None:
    from minzheng.eldercare.choices import RUNS_ALLOWANCE

    if user is not None and not has_role(user, RUNS_ALLOWANCE):
        raise Forbidden("当前角色无权运行高龄津贴月度核定")


def start_run(*, user: Any, month: str | Month) -> AllowanceRun:
    """Record a new attempt for the month (refused for a month before the latest finished one)."""
    _require_runner(user)
    m = parse_month(month)
    latest = AllowanceRun.objects.filter(status=RunStatus.DONE).aggregate(m=Max("month"))["m"]
    if latest and str(m) < latest:
        raise InvalidChange(f"已运行到 {latest}，不能再运行更早的月份 {m}")
    with transaction.atomic():
        attempt = (AllowanceRun.objects.filter(month=str(m)).aggregate(n=Max("attempt"))["n"] or 0) + 1
        return AllowanceRun.objects.create(month=str(m), attempt=attempt,
                                           actor=user if getattr(user, "is_authenticated", False) else None)


def execute_run(run: AllowanceRun, *, sources: Sources | None = None, echo: Echo | None = None) -> AllowanceRun:
    """Compute and land the month of ``run`` (status running); on failure the run is marked failed."""
    say = echo or (lambda _line: None)
    started = time.monotonic()
    sources = sources or Sources.default()
    try:
        rates = Rates.for_month(Month.parse(run.month))
        t = time.monotonic()
        persons, low, current = export_persons(rates), export_low_income(rates), export_current(rates)
        say(f"档案导出 archive export: 人员 {persons.num_rows:,}，困难家庭80岁以上 {low.num_rows:,}，"
            f"在册高龄津贴 {current.num_rows:,}  [{time.monotonic() - t:.1f}s]")
        delta = allowance_sql.compute(rates=rates, population=sources.population, persons=persons,
                                      low_income=low, current=current, deaths=sources.deaths)
        say(f"计算 DuckDB: 户籍人口 {delta.population_rows:,} 行，死亡记录 {delta.deaths_read:,}，本月应享受 "
            f"{delta.eligible:,} 人 → 新增 {len(delta.new):,}，调标 {len(delta.changes):,}，停发 {len(delta.stops):,}"
            f"  [{delta.seconds:.1f}s]")
        t = time.monotonic()
        with transaction.atomic():
            applied = apply_month(user=run.actor, month=run.month, first=rates.month.first_day, new=delta.new,
                                  changes=delta.changes, stops=delta.stops,
                                  reason=f"高龄津贴免申即享 {run.month} 月度核定（第 {run.attempt} 次）")
            _finish(run, delta, applied, rates, started)
        say(f"写入 archive write: 新建人员 {applied.persons_created:,}，新增 {applied.created:,}，调标 "
            f"{applied.rate_changes:,}，死亡停发 {applied.stopped_death:,}，不再符合 {applied.stopped_ineligible:,}"
            f"  [{time.monotonic() - t:.1f}s]")
        return run
    except Exception as exc:
        AllowanceRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                      error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _finish(run: AllowanceRun, delta: allowance_sql.Delta, applied: Any, rates: Rates, started: float) -> None:
    run.status = RunStatus.DONE
    run.population_rows, run.deaths_read = delta.population_rows, delta.deaths_read
    run.eligible, run.by_band, run.monthly_total = delta.eligible, delta.by_band, delta.monthly_total
    run.created, run.rate_changes = applied.created, applied.rate_changes
    run.stopped_death, run.stopped_ineligible = applied.stopped_death, applied.stopped_ineligible
    run.persons_created, run.unchanged = applied.persons_created, delta.unchanged
    run.outside_population, run.skipped = delta.outside_population, len(delta.skipped) + applied.raced
    run.parameters = rates.as_dict()
    run.finished_at = timezone.now()
    run.seconds = Decimal(f"{time.monotonic() - started:.2f}")
    run.save()
    record(run.actor, AuditAction.UPDATE, run, summary=(
        f"高龄津贴 {run.month} 月度核定：应享受 {run.eligible} 人，新增 {run.created}，调标 {run.rate_changes}，"
        f"死亡停发 {run.stopped_death}，不再符合 {run.stopped_ineligible}"),
        after={k: getattr(run, k) for k in ("month", "attempt", "eligible", "created", "rate_changes",
                                            "stopped_death", "stopped_ineligible", "persons_created", "skipped")},
        reason="免申即享")


def run_month(*, user: Any, month: str | Month, sources: Sources | None = None,
              echo: Echo | None = None) -> AllowanceRun:
    """Start and execute one month in this process (the CLI, the task and the tests)."""
    return execute_run(start_run(user=user, month=month), sources=sources, echo=echo)


# -- residents' applications --------------------------------------------------------------------------------

def _person_for(idn: str, *, user: Any, community: Area, name: str) -> Person:
    person = Person.objects.filter(id_number=idn).first()
    if person is not None:
        return person
    found = population_lookup([idn], snapshot=snapshot_path(Path(settings.DATA_DIR))).get(idn)
    if found is None and not name:
        raise NotFound("户籍人口数据中没有此人，请填写姓名（非本市户籍的驻沈离退休人员等）")
    area = found.area_code if found and Area.objects.filter(code=found.area_code).exists() else community.code
    return register_person(user=None, id_number=idn, name=found.name if found else name, area_code=area,
                           reason="高龄津贴申请")


@transaction.atomic
def apply_for_allowance(*, user: Any, id_number: str, community: str, applied_on: dt.date | None = None,
                        name: str = "", proxy_name: str = "", proxy_phone: str = "") -> HighAgeApplication:
    """A resident applies at ``community`` (any community of the city; the caseworker's own). Creates the
    enrollment from the application month unless one is already current (then :class:`AlreadyEnrolled`)."""
    prefix = area_prefix(user)
    if user is not None and (prefix is None or not community.startswith(prefix)):
        raise NotFound("未找到该社区")
    if user is not None and not has_role(user, CASEWORKERS):
        raise Forbidden("当前角色无权受理申请")
    place = Area.objects.filter(code=community, level="community").first()
    if place is None:
        raise NotFound("未找到该社区")
    idn, _sex, _birth = checked_identity(id_number)
    day = applied_on or timezone.localdate()
    month = Month.of(day)
    person = _person_for(idn, user=user, community=place, name=name.strip())
    person = Person.objects.select_for_update().get(pk=person.pk)  # the same lock the monthly run takes
    current = (Enrollment.objects.filter(person=person, programme=Programme.HIGH_AGE)
               .filter(Q(end_date__isnull=True) | Q(end_date__gte=month.first_day)).order_by("start_date").first())
    if current is not None:
        raise AlreadyEnrolled(f"{person.name} 已在享受高龄津贴（{current.start_date} 起，"
                              f"{current.monthly_amount} 元/月），不能重复申请")
    rates = Rates.for_month(month)
    band, amount = rates.due(person.birth_date, is_low_income(person, month.first_day), person.death_date)
    if amount is None:
        raise NotEligible(f"{person.name} 在 {month} 不符合高龄津贴条件（按月计龄未满80周岁，或所在档次标准未生效）")
    key = source_key(str(month), idn)
    if Enrollment.objects.filter(source_key=key).exists():
        key = f"{key}#app"
    enrollment = enroll(user=user, programme=Programme.HIGH_AGE, start=month.first_day, monthly_amount=amount,
                        source_key=key, person=person, reason=f"高龄津贴申请（{place.name}受理）")
    application = HighAgeApplication.objects.create(
        person=person, community=place, applied_on=day, month=str(month), enrollment=enrollment,
        proxy_name=proxy_name.strip(), proxy_phone=proxy_phone.strip(),
        recorded_by=user if getattr(user, "is_authenticated", False) else None)
    record(user, AuditAction.CREATE, application, area_code=place.code,
           summary=f"受理高龄津贴申请：{person.name}，{month} 起 {amount} 元/月（{band}）",
           after={"person_id": person.pk, "month": str(month), "amount": str(amount), "band": band})
    return application
