"""Planted cases for the four 政策找人 scenarios (FIND_*); ``nm`` marks a near-miss that must not fire."""

from __future__ import annotations

from minzheng.synth import params
from minzheng.synth.casekit import (
    DC,
    DL,
    HA,
    UC,
    couple,
    dibao3,
    on,
    orphan_amount,
    outside,
    single_care,
    uc_family,
)
from minzheng.synth.params import month_end
from minzheng.synth.plant import Builder

# ----------------------------------------------------------------------------- FIND_HIGH_AGE


def _ha_turn80(b: Builder) -> None:
    hh = b.household()
    p = b.person(hh, 80, shift=0, male=True, day=31)
    b.person(hh, 80, shift=1, male=False, rel="配偶")  # turns 80 next month: nothing due yet
    p.manual.add("high_age")
    due = b.high_age_due(p)
    if due:
        b.truth(HA, p, due, f"{b.D:%Y-%m}满80周岁（{p.birth}出生），未领高龄津贴，应发{due}元")


def _ha_edge30(b: Builder) -> None:
    hh = b.household(archive=True)
    p, _s = couple(b, hh, 85, 83, b.std + 100, b.std - 50)
    b.care(hh, "dibao_edge", b.months_ago(30))
    b.enroll(hh, p, "high_age", b.months_ago(20, 1), None, 30)
    b.truth(HA, p, 100, "低保边缘家庭80–89周岁，应发100元，现按普惠30元发放")


def _ha_dibao_none(b: Builder) -> None:
    hh = b.household(archive=True)
    p = b.person(hh, 82, income=300)
    b.person(hh, 52, rel="子", male=True, income=200)
    b.care(hh, "dibao", b.months_ago(40))
    p.manual.add("high_age")
    b.truth(HA, p, 100, "低保家庭80–89周岁，未领高龄津贴，应发100元")


def _ha_turn90(b: Builder) -> None:
    p = outside(b, 90, shift=0)
    b.enroll(None, p, "high_age", b.months_ago(6, 1), None, 30)
    b.truth(HA, p, 200, f"{b.D:%Y-%m}满90周岁，仍按30元发放，应发200元")


def _ha_turn100(b: Builder) -> None:
    p = outside(b, 100, shift=0, male=False)
    b.enroll(None, p, "high_age", b.months_ago(60, 1), None, 200)
    b.truth(HA, p, 800, f"{b.D:%Y-%m}满100周岁，仍按200元发放，应发800元")


def _ha_95_none(b: Builder) -> None:
    p = outside(b, 95)
    p.manual.add("high_age")
    b.truth(HA, p, 200, "95周岁，未领高龄津贴，应发200元")


def _ha_ended(b: Builder) -> None:
    p = outside(b, 86)
    b.enroll(None, p, "high_age", b.months_ago(8, 1), month_end(b.months_ago(1)), 30)
    due = b.high_age_due(p)
    if due:
        b.truth(HA, p, due, f"86周岁，高龄津贴已于上月终止，应发{due}元")


def _ha_future(b: Builder) -> None:
    p = outside(b, 88)
    b.enroll(None, p, "high_age", on(b, 1), None, 30)
    due = b.high_age_due(p)
    if due:
        b.truth(HA, p, due, f"88周岁，高龄津贴{on(b, 1)}才开始，D当日未在发，应发{due}元")


def _ha_nm_89(b: Builder) -> None:
    outside(b, 90, shift=1)  # 89 this month, 90 next month: the 30/0 it receives is right


def _ha_nm_99(b: Builder) -> None:
    outside(b, 100, shift=1)  # 99 this month: 200 is right


def _ha_nm_rigid(b: Builder) -> None:
    single_care(b, 84, "rigid_hardship", b.months_ago(3), income=1500)  # rigid: 30, not 100


def _ha_nm_exited(b: Builder) -> None:
    hh = b.household(archive=True)
    b.person(hh, 81, income=900)
    b.care(hh, "dibao", b.months_ago(40), month_end(b.months_ago(2)))  # out of care: 30 is right


def _ha_nm_overpaid(b: Builder) -> None:
    p = outside(b, 85)
    b.enroll(None, p, "high_age", b.months_ago(12, 1), None, 100)


def _ha_nm_dead(b: Builder) -> None:
    p = outside(b, 87)
    death = b.months_ago(2)
    b.death(p, death, ("卫健",))
    b.enroll(None, p, "high_age", b.months_ago(30, 1), month_end(death), 30)


def _ha_nm_end_on_d(b: Builder) -> None:
    p = outside(b, 83)
    due = b.high_age_due(p)
    if due:
        b.enroll(None, p, "high_age", b.months_ago(12, 1), b.D, due)


# ----------------------------------------------------------------------- FIND_DISABILITY_CARE


def _dc_g1(b: Builder) -> None:
    p = outside(b, 45)
    b.cert(p, 1, b.months_ago(36), dtype="肢体")
    p.manual.add("disability_care")
    b.truth(DC, p, params.disability_care(b.D), "一级残疾证有效，未领重度残疾人护理补贴")


def _dc_g2_today(b: Builder) -> None:
    p = outside(b, 30)
    b.cert(p, 2, b.D, dtype="精神")
    p.manual.add("disability_care")
    b.truth(DC, p, params.disability_care(b.D), f"二级残疾证{b.D}当日核发，未领护理补贴")


def _dc_until_d(b: Builder) -> None:
    p = outside(b, 60)
    b.cert(p, 1, b.months_ago(100), valid=b.D, dtype="视力")
    p.manual.add("disability_care")
    b.truth(DC, p, params.disability_care(b.D), f"一级残疾证有效期至{b.D}（当日仍有效），未领护理补贴")


def _dc_ended(b: Builder) -> None:
    p = outside(b, 70)
    issue = b.months_ago(50)
    b.cert(p, 2, issue, valid=None, dtype="多重")
    b.enroll(None, p, "disability_care", issue, month_end(b.months_ago(1)), 100)
    b.truth(DC, p, params.disability_care(b.D), "二级残疾证长期有效，护理补贴上月已终止")


def _dc_dibao(b: Builder) -> None:
    x = dibao3(b, b.months_ago(26))
    b.cert(x.s, 2, b.months_ago(24), dtype="智力")
    x.s.manual.add("disability_care")
    b.enroll(x.hh, x.s, "disability_living", b.months_ago(24, 1), None, params.disability_living(b.D))
    b.truth(DC, x.s, params.disability_care(b.D), "低保家庭二级残疾，已领生活补贴，未领护理补贴")


def _dc_nm_g3(b: Builder) -> None:
    b.cert(outside(b, 50), 3, b.months_ago(20))


def _dc_nm_expired(b: Builder) -> None:
    p = outside(b, 66)
    b.cert(p, 2, b.months_ago(121), valid=on(b, -1))


def _dc_nm_future(b: Builder) -> None:
    b.cert(outside(b, 41), 1, on(b, 1))


def _dc_nm_dead(b: Builder) -> None:
    p = outside(b, 58)
    b.cert(p, 1, b.months_ago(40))
    p.manual.add("disability_care")
    b.death(p, b.months_ago(1), ("公安", "殡仪馆"))


def _dc_nm_end_on_d(b: Builder) -> None:
    p = outside(b, 39)
    b.cert(p, 1, b.months_ago(30))
    b.enroll(None, p, "disability_care", b.months_ago(30), b.D, 100)


# --------------------------------------------------------------------- FIND_DISABILITY_LIVING


def _dl_g3(b: Builder) -> None:
    x = dibao3(b, b.months_ago(30))
    b.cert(x.h, 3, b.months_ago(28), dtype="听力")
    x.h.manual.add("disability_living")
    b.truth(DL, x.h, params.disability_living(b.D), "低保家庭三级残疾，未领困难残疾人生活补贴")


def _dl_ended(b: Builder) -> None:
    x = dibao3(b, b.months_ago(30))
    b.cert(x.c, 4, b.months_ago(29), dtype="言语")
    b.enroll(x.hh, x.c, "disability_living", b.months_ago(29, 1), month_end(b.months_ago(3)), 100)
    b.truth(DL, x.c, params.disability_living(b.D), "低保家庭四级残疾，生活补贴3个月前终止")


def _dl_g1_care(b: Builder) -> None:
    x = dibao3(b, b.months_ago(33))
    b.cert(x.s, 1, b.months_ago(31), dtype="肢体")
    x.s.manual.add("disability_living")
    b.truth(DL, x.s, params.disability_living(b.D), "低保家庭一级残疾，已领护理补贴，未领生活补贴")


def _dl_issued_d(b: Builder) -> None:
    x = dibao3(b, b.months_ago(18))
    b.cert(x.h, 4, b.D, dtype="肢体")
    x.h.manual.add("disability_living")
    b.truth(DL, x.h, params.disability_living(b.D), f"低保家庭成员残疾证{b.D}当日核发")


def _dl_new_dibao(b: Builder) -> None:
    x = dibao3(b, b.D)
    b.cert(x.s, 3, b.months_ago(15), dtype="精神")
    x.s.manual.add("disability_living")
    b.truth(DL, x.s, params.disability_living(b.D), f"家庭低保自{b.D}起（当日有效），持证未领生活补贴")


def _dl_nm_edge(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20), "dibao_edge")
    b.cert(x.h, 3, b.months_ago(40))


def _dl_nm_tekun(b: Builder) -> None:
    p = single_care(b, 65, "tekun", b.months_ago(22))
    b.cert(p, 3, b.months_ago(24))


def _dl_nm_exited(b: Builder) -> None:
    x = dibao3(b, b.months_ago(30))
    hh_rows = [e for e in b.enrollments if e.hh is x.hh]
    hh_rows[-1].end = month_end(b.months_ago(1))
    b.cert(x.s, 3, b.months_ago(25))


def _dl_nm_expired(b: Builder) -> None:
    x = dibao3(b, b.months_ago(30))
    b.cert(x.h, 3, b.months_ago(125), valid=on(b, -1))


def _dl_nm_future_dibao(b: Builder) -> None:
    x = dibao3(b, on(b, 1))
    b.cert(x.c, 3, b.months_ago(10))


# --------------------------------------------------------------------- FIND_UNSUPPORTED_CHILD




def _uc_orphan(b: Builder) -> None:
    x = uc_family(b)
    b.death(x.f, b.months_ago(14), ("公安",))
    b.death(x.m, b.months_ago(5), ("卫健", "公安"))
    b.truth(UC, x.c, orphan_amount(b), "父母均已死亡，未纳入孤儿保障（orphan）")


def _uc_prison_missing(b: Builder) -> None:
    x = uc_family(b)
    b.justice(x.f, "imprisoned", on(b, -700))
    b.justice(x.m, "declared_missing", on(b, -400))
    b.truth(UC, x.c, orphan_amount(b), "父服刑、母被宣告失踪，事实无人抚养（unsupported_child）")


def _uc_dead_disabled(b: Builder) -> None:
    x = uc_family(b)
    b.death(x.f, b.months_ago(8))
    b.cert(x.m, 1, b.months_ago(60), dtype="精神")
    b.truth(UC, x.c, orphan_amount(b), "父死亡、母一级残疾，事实无人抚养（unsupported_child）")


def _uc_prison_dead(b: Builder) -> None:
    x = uc_family(b)
    b.justice(x.f, "imprisoned", on(b, -1100))
    b.death(x.m, b.months_ago(10))
    b.truth(UC, x.c, orphan_amount(b), "父服刑、母死亡，事实无人抚养（unsupported_child）")


def _uc_turn18_next(b: Builder) -> None:
    x = uc_family(b, child_age=18, shift=1)
    b.death(x.f, b.months_ago(30))
    b.death(x.m, b.months_ago(20))
    b.truth(UC, x.c, orphan_amount(b), "下月满18周岁（本月仍未满18），父母均已死亡（orphan）")


def _uc_release_after_d(b: Builder) -> None:
    x = uc_family(b)
    b.justice(x.f, "imprisoned", on(b, -1000))
    b.justice(x.f, "released", on(b, 10))
    b.death(x.m, b.months_ago(7))
    b.truth(UC, x.c, orphan_amount(b), "父D日仍在服刑（D后才释放）、母死亡（unsupported_child）")


def _uc_prison_g2(b: Builder) -> None:
    x = uc_family(b)
    b.justice(x.f, "imprisoned", on(b, -500))
    b.cert(x.m, 2, b.months_ago(30), dtype="肢体")
    b.truth(UC, x.c, orphan_amount(b), "父服刑、母二级残疾（unsupported_child）")


def _uc_nm_released(b: Builder) -> None:
    x = uc_family(b)
    b.justice(x.f, "imprisoned", on(b, -1500))
    b.justice(x.f, "released", on(b, -300))
    b.death(x.m, b.months_ago(9))


def _uc_nm_18(b: Builder) -> None:
    x = uc_family(b, child_age=18, shift=0)
    b.death(x.f, b.months_ago(30))
    b.death(x.m, b.months_ago(20))


def _uc_nm_one_dead(b: Builder) -> None:
    x = uc_family(b)
    b.death(x.f, b.months_ago(4))


def _uc_nm_g3(b: Builder) -> None:
    x = uc_family(b)
    b.death(x.f, b.months_ago(4))
    b.cert(x.m, 3, b.months_ago(30))


def _uc_nm_g2_expired(b: Builder) -> None:
    x = uc_family(b)
    b.death(x.f, b.months_ago(6))
    b.cert(x.m, 2, b.months_ago(125), valid=on(b, -30))


def _uc_nm_enrolled(b: Builder) -> None:
    x = uc_family(b, archive=True)
    b.death(x.f, b.months_ago(16))
    b.death(x.m, b.months_ago(15))
    b.enroll(x.hh, x.c, "orphan", b.months_ago(13, 1), None, orphan_amount(b))


def _uc_nm_no_mother_id(b: Builder) -> None:
    x = uc_family(b, mother_recorded=False)
    b.death(x.f, b.months_ago(6))
    b.death(x.m, b.months_ago(3))


def _uc_nm_father_after_d(b: Builder) -> None:
    x = uc_family(b)
    b.death(x.f, on(b, 5))
    b.death(x.m, b.months_ago(2))


def _uc_nm_unsupported_enrolled(b: Builder) -> None:
    x = uc_family(b, archive=True)
    b.justice(x.f, "imprisoned", on(b, -900))
    b.justice(x.m, "declared_missing", on(b, -800))
    b.enroll(x.hh, x.c, "unsupported_child", b.months_ago(20, 1), None, orphan_amount(b))
