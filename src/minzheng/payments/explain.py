"""An entry's explanation, regenerated on demand: the per-household rules (``rules.evaluate``) on the
entry's basis snapshot with its live inputs (``overrides``) and the parameter values stored with it, so
a caseworker sees every rule, parameter (assumed values marked) and figure behind the amount — a year
later too, whatever the parameter files say by then."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from minzheng.payments import basis as b
from minzheng.payments.engine import HH_OUTPUT, MEMBER_OUTPUT
from minzheng.payments.models import LedgerEntry
from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import Result, render_text
from minzheng.rules.model import InputError, Month


@dataclass(frozen=True)
class Explanation:
    text: str
    category: str
    amount: Decimal  # what the per-household rules give for the entry's programme and beneficiary
    matches: bool  # equals the amount due recorded on the entry
    inputs_verified: bool  # the snapshot and live inputs hash to what the entry recorded
    assumed: list[str]


def amount_for(result: Result, programme: str, beneficiary_type: str, beneficiary_id: int) -> Decimal:
    """The programme's monthly amount for the beneficiary, as the payroll reads it from the bulk path."""
    zero = Decimal(0)
    if beneficiary_type == "h":
        if programme == "dibao":
            members = result.members.values()
            single = sum((Decimal(m["single_cover_monthly"]) for m in members), zero)
            addons = sum((Decimal(m["dibao_addon_monthly"]) for m in members if m["status"] == "dibao"), zero)
            return Decimal(result.amounts["dibao_monthly"]) - single + addons
        return Decimal(result.amounts[HH_OUTPUT[programme]])
    member = result.members.get(str(beneficiary_id))
    if member is None:
        return zero
    if programme == "dibao":
        if member["status"] != "single_cover":
            return zero
        return Decimal(member["single_cover_monthly"]) + Decimal(member["dibao_addon_monthly"])
    return Decimal(member[MEMBER_OUTPUT[programme]])


def explain_entry(entry: LedgerEntry) -> Explanation | None:
    """``None`` for an entry not computed by the rules (a fixed amount, a manual reversal)."""
    if entry.basis is None or entry.rule_version is None:
        return None
    mapping = b.apply_overrides(entry.basis.inputs, entry.overrides)
    try:
        household = b.to_household(mapping)
    except InputError:
        return None
    params = b.params_from_values(entry.rule_version.values)
    result = evaluate(household, Month.of(entry.benefit_month), params)
    amount = amount_for(result, entry.programme, entry.beneficiary_type, entry.beneficiary_id)
    verified = b.short_hash(entry.basis.inputs_hash, entry.overrides) == entry.inputs_hash
    return Explanation(text=render_text(result), category=result.category, amount=amount,
                       matches=entry.due is not None and amount == entry.due, inputs_verified=verified,
                       assumed=entry.rule_version.assumed)
