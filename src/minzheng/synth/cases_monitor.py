"""Planted cases for the three 动态监测 scenarios (MON_*); ``nm`` marks a near-miss that must not fire."""

from __future__ import annotations

from minzheng.core import idnumber
from minzheng.synth.casekit import (
    AI,
    HR,
    MD,
    TD,
    couple,
    dibao3,
    on,
    outside,
    overpaid,
    single_care,
)
from minzheng.synth.params import month_end
from minzheng.synth.plant import Builder

# ------------------------------------------------------------------------------- MON_DECEASED


def _md_dibao_month(b: Builder) -> None:
    hh = b.household(archive=True)
    h, s = couple(b, hh, 55, 53, 500, 200)
    b.person(hh, 25, male=True, rel="子", father=h, mother=s)
    b.care(hh, "dibao", b.months_ago(40), b.D)
    death = b.in_d_month()
    b.death(s, death, ("卫健",))
    b.truth(MD, s, 0, "低保户成员本月死亡（仅户级待遇，金额0）；" + overpaid(b, death))


def _md_tekun(b: Builder) -> None:
    p = single_care(b, 82, "tekun", b.months_ago(50), income=200, self_care="半自理")
    b.enroll(p.hh, p, "high_age", b.months_ago(20, 1), None, 100)
    death = b.months_ago(3)
    b.death(p, death)
    amt = b.person_level_amount(p)
    b.truth(MD, p, amt, f"特困人员死亡未停保（特困{amt - 100}+高龄100）；" + overpaid(b, death))


def _md_high_age_only(b: Builder) -> None:
    p = outside(b, 92)
    b.enroll(None, p, "high_age", b.months_ago(30, 1), None, 200)
    death = b.months_ago(2)
    b.death(p, death, ("殡仪馆",))
    b.truth(MD, p, 200, "高龄津贴对象死亡未停发；" + overpaid(b, death))


def _md_dibao_disab(b: Builder) -> None:
    x = dibao3(b, b.months_ago(36))
    b.person(x.hh, 74, male=True, rel="父", income=100)
    b.cert(x.h, 2, b.months_ago(34), dtype="肢体")
    b.enroll(x.hh, x.h, "disability_care", b.months_ago(34, 1), None, 100)
    b.enroll(x.hh, x.h, "disability_living", b.months_ago(34, 1), None, 100)
    death = b.months_ago(5)
    b.death(x.h, death, ("公安", "卫健"))
    b.truth(MD, x.h, 200, "低保户成员死亡，两项残疾人补贴未停（100+100）；" + overpaid(b, death))


def _md_two_sources(b: Builder) -> None:
    x = dibao3(b, b.months_ago(25), "dibao_edge")
    death = b.months_ago(1)
    alt = idnumber.to_15(x.s.id) if x.s.birth.year < 2000 else " " + x.s.id.lower() + " "
    b.death(x.s, death, ("公安", "殡仪馆"), id_forms=(x.s.id, alt))
    b.truth(MD, x.s, 0, "低保边缘户成员死亡（两个来源重复报送，一条为15位号码）；" + overpaid(b, death))


def _md_rigid(b: Builder) -> None:
    p = single_care(b, 61, "rigid_hardship", b.months_ago(6), income=1600)
    death = b.months_ago(4)
    b.death(p, death)
    b.truth(MD, p, 0, "刚性支出困难家庭成员死亡；" + overpaid(b, death))


def _md_end_on_d(b: Builder) -> None:
    p = outside(b, 91)
    b.enroll(None, p, "high_age", b.months_ago(12, 1), b.D, 200)
    death = b.in_d_month()
    b.death(p, death)
    b.truth(MD, p, 200, f"本月死亡，高龄津贴终止日为{b.D}（当日仍在发）；" + overpaid(b, death))


def _md_nm_ended(b: Builder) -> None:
    p = outside(b, 90)
    death = b.months_ago(3)
    b.death(p, death)
    b.enroll(None, p, "high_age", b.months_ago(40, 1), month_end(death), 200)


def _md_nm_after_d(b: Builder) -> None:
    x = dibao3(b, b.months_ago(21))
    b.death(x.c, on(b, 1))


def _md_nm_exited(b: Builder) -> None:
    hh = b.household(archive=True)
    h, _s = couple(b, hh, 67, 66, 1200, 900)
    b.care(hh, "dibao", b.months_ago(50), month_end(b.months_ago(6)))
    b.death(h, b.months_ago(2))


def _md_nm_end_before_d(b: Builder) -> None:
    p = outside(b, 93)
    death = b.in_d_month()
    b.death(p, death)
    b.enroll(None, p, "high_age", b.months_ago(30, 1), on(b, -1), 200)  # ended the day before D


def _md_hardship_dead(b: Builder) -> None:
    x = dibao3(b, b.months_ago(28))
    death = b.months_ago(2)
    x.h.quiet = True
    b.claim(x.h, death - TD(days=20), 1_500_000)
    b.claim(x.h, death - TD(days=3), 1_000_000)
    b.death(x.h, death)
    b.truth(MD, x.h, 0, "低保户成员死亡（生前自付2.5万元，已死亡不再列重点监测）；" + overpaid(b, death))


# ---------------------------------------------------------------------------- MON_ASSET_INCOME


def _ai_car(b: Builder) -> None:
    w = b.months_ago(24)
    x = dibao3(b, w)
    b.vehicle(x.h, "car", w + TD(days=100), 96_000)
    b.truth(AI, x.h, None, f"低保期间（{w}起）登记小汽车")


def _ai_truck(b: Builder) -> None:
    w = b.months_ago(26)
    x = dibao3(b, w)
    b.vehicle(x.s, "truck", w + TD(days=30), 142_000)
    b.truth(AI, x.s, None, "低保期间登记货车")


def _ai_shareholder(b: Builder) -> None:
    w = b.months_ago(22)
    x = dibao3(b, w)
    b.business(x.h, "shareholder", 100_000, w + TD(days=60))
    b.business(x.s, "shareholder", 99_999, w + TD(days=60))  # under 100,000: not counted
    b.truth(AI, x.h, None, "低保期间成为股东，注册资本恰为100000元")


def _ai_legal_rep(b: Builder) -> None:
    w = b.months_ago(30)
    x = dibao3(b, w)
    b.business(x.h, "legal_rep", 30_000, w + TD(days=200))
    b.truth(AI, x.h, None, "低保期间担任企业法定代表人")


def _ai_sole_tekun(b: Builder) -> None:
    w = b.months_ago(14)
    p = single_care(b, 62, "tekun", w)
    b.business(p, "sole_proprietor", 20_000, w + TD(days=10))
    b.truth(AI, p, None, "特困人员供养期间登记个体工商户")


def _ai_second_home(b: Builder) -> None:
    w = b.months_ago(20)
    x = dibao3(b, w)
    b.estate([x.h, x.s], "residential", w - TD(days=400), "62.10")  # co-owned, before the window
    b.estate([x.s], "residential", w + TD(days=50), "88.00")
    b.truth(AI, x.s, None, "家庭已有一套住房（夫妻共有，计一套），低保期间又登记第二套住房")


def _ai_commercial(b: Builder) -> None:
    w = b.months_ago(16)
    x = dibao3(b, w)
    b.estate([x.c], "commercial", w + TD(days=20), "35.50")
    b.truth(AI, x.c, None, "低保期间登记商业用房")


def _ai_wage_exact(b: Builder) -> None:
    w = b.months_ago(18)
    x = dibao3(b, w)
    total = x.h.income + x.s.income + x.c.income
    wage = 3 * b.std - total
    b.employ(x.c, "employed", w + TD(days=90), wage)
    b.employ(x.s, "employed", w + TD(days=95), f"{wage - 1}.99")  # 0.01 short of the standard
    b.truth(AI, x.c, None, f"就业月薪{wage}元，家庭人均收入恰达低保标准{b.std}元")


def _ai_edge_wage(b: Builder) -> None:
    w = b.months_ago(12)
    hh = b.household(archive=True)
    h, s = couple(b, hh, 44, 42, b.std + 100, b.std - 50)
    b.care(hh, "dibao_edge", w)
    wage = 3 * b.std - (h.income + s.income)  # (incomes + wage) / 2 = 1.5 × standard
    b.employ(s, "employed", w + TD(days=40), wage)
    b.employ(h, "employed", w + TD(days=41), wage - 1)
    b.truth(AI, s, None, f"低保边缘家庭，就业月薪{wage}元后人均恰达1.5倍低保标准")


def _ai_window_start(b: Builder) -> None:
    w = b.months_ago(9)
    x = dibao3(b, w)
    b.vehicle(x.h, "car", w, 70_000)
    b.vehicle(x.s, "car", w - TD(days=1), 65_000)  # the day before the window: not counted
    b.truth(AI, x.h, None, f"小汽车登记日恰为低保起始日{w}")


def _ai_tekun_car(b: Builder) -> None:
    w = b.months_ago(11)
    p = single_care(b, 66, "tekun", w)
    b.vehicle(p, "car", w + TD(days=5), 55_000)
    b.truth(AI, p, None, "特困人员供养期间登记小汽车")


def _ai_nm_small_vehicles(b: Builder) -> None:
    w = b.months_ago(20)
    x = dibao3(b, w, "dibao_edge")
    b.vehicle(x.h, "motorcycle", w + TD(days=10))
    b.vehicle(x.s, "ebike", w + TD(days=20))
    b.vehicle(x.c, "farm_machine", w + TD(days=30))
    b.vehicle(x.h, "mobility_aid", w + TD(days=40))


def _ai_nm_before_window(b: Builder) -> None:
    w = b.months_ago(10)
    x = dibao3(b, w)
    b.care(x.hh, "dibao", w - TD(days=800), w - TD(days=31))
    b.vehicle(x.h, "car", w - TD(days=100))


def _ai_nm_coowned(b: Builder) -> None:
    w = b.months_ago(15)
    x = dibao3(b, w)
    b.estate([x.h, x.s], "residential", w + TD(days=40), "54.00")


def _ai_nm_rigid(b: Builder) -> None:
    p = single_care(b, 45, "rigid_hardship", b.months_ago(5), income=1900)
    b.vehicle(p, "car", b.months_ago(2), 88_000)


def _ai_nm_after_d(b: Builder) -> None:
    x = dibao3(b, b.months_ago(13))
    b.vehicle(x.h, "car", on(b, 3))


def _ai_nm_exited(b: Builder) -> None:
    hh = b.household(archive=True)
    h, _s = couple(b, hh, 50, 49, 1500, 1200)
    b.care(hh, "dibao", b.months_ago(40), month_end(b.months_ago(6)))
    b.vehicle(h, "car", b.months_ago(2))


def _ai_nm_pension(b: Builder) -> None:
    w = b.months_ago(16)
    x = dibao3(b, w)
    b.employ(x.h, "pension", w + TD(days=60), 3000)


# --------------------------------------------------------------------------- MON_HARDSHIP_RISK


def _hr_20000(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20))
    x.h.quiet = True
    b.claim(x.h, on(b, -364), 800_000)
    b.claim(x.h, on(b, -100), 700_000)
    b.claim(x.h, b.D, 500_000)
    b.truth(HR, x.h, None, "365日内医疗自付合计恰为20000.00元")


def _hr_dup(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20), "dibao_edge")
    x.s.quiet = True
    b.claim(x.s, on(b, -200), 1_200_000, copies=2)
    b.claim(x.s, on(b, -20), 850_000)
    b.truth(HR, x.s, None, "医疗自付20500.00元（一笔结算重复报送，只计一次）")


def _hr_cert(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20), "dibao_edge")
    b.cert(x.c, 2, on(b, -89), dtype="肢体")
    b.truth(HR, x.c, None, f"90日内（{on(b, -89)}）新发二级残疾证")


def _hr_unemployed_d(b: Builder) -> None:
    p = single_care(b, 40, "rigid_hardship", b.months_ago(4), income=1800)
    b.employ(p, "unemployed", b.D)
    b.truth(HR, p, None, f"{b.D}登记失业")


def _hr_unemployed_89(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20))
    b.employ(x.s, "unemployed", on(b, -89))
    b.truth(HR, x.s, None, f"90日内（{on(b, -89)}）登记失业")


def _hr_nm_19999(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20))
    x.h.quiet = True
    b.claim(x.h, on(b, -300), 1_000_000)
    b.claim(x.h, on(b, -30), 999_999)


def _hr_nm_dup(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20))
    x.h.quiet = True
    b.claim(x.h, on(b, -250), 900_000)
    b.claim(x.h, on(b, -50), 600_000, copies=2)  # counted twice it would be 21,000


def _hr_nm_old_claim(b: Builder) -> None:
    x = dibao3(b, b.months_ago(30))
    x.h.quiet = True
    b.claim(x.h, on(b, -365), 500_000)  # one day too early
    b.claim(x.h, on(b, -10), 1_500_000)
    b.claim(x.h, on(b, 1), 600_000)  # after D


def _hr_nm_cert90(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20))
    b.cert(x.h, 2, on(b, -90))


def _hr_nm_cert_g3(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20), "dibao_edge")
    b.cert(x.s, 3, on(b, -10))


def _hr_nm_unemployed_90(b: Builder) -> None:
    x = dibao3(b, b.months_ago(20))
    b.employ(x.h, "unemployed", on(b, -90))


def _hr_nm_outside(b: Builder) -> None:
    p = outside(b, 55)
    p.quiet = True
    b.claim(p, on(b, -40), 3_000_000)


def _hr_nm_exited(b: Builder) -> None:
    hh = b.household(archive=True)
    h, _s = couple(b, hh, 47, 45, 1600, 1100)
    b.care(hh, "dibao", b.months_ago(40), month_end(b.months_ago(3)))
    b.employ(h, "unemployed", on(b, -5))
