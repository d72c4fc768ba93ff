"""What the pages show of a case: the evaluation with its parameter statuses, the deadline, the forms of
the steps the signed-in user may take now. Plain functions returning template data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from minzheng.assistance import forms as f
from minzheng.assistance.choices import AppAction, AppState
from minzheng.assistance.models import Application, Evaluation
from minzheng.assistance.selectors import investigator_choices
from minzheng.assistance.workflow import actions_from, may
from minzheng.core.selectors import current_members
from minzheng.core.workdays import default_calendar
from minzheng.rules.explain import CATEGORY_ZH, HOUSEHOLD_OUTPUTS, MEMBER_AMOUNTS, OUTPUT_ZH, STATUS_ZH
from minzheng.rules.model import FEN

# Each step the detail page offers: its form and the button's label. Investigation has its own page.
STEP_FORMS: dict[str, type[forms.Form]] = {
    AppAction.RECORD_AUTHORISATION: f.AuthorisationForm,
    AppAction.ASSIGN_INVESTIGATORS: f.InvestigatorsForm,
    AppAction.EVALUATE: f.StepForm,
    AppAction.STREET_APPROVE: f.OpinionForm,
    AppAction.STREET_REJECT: f.ReasonsForm,
    AppAction.PROPOSE_EXCEPTION: f.ExceptionProposalForm,
    AppAction.APPROVE_EXCEPTION: f.ExceptionDecisionForm,
    AppAction.PUBLISH_NOTICE: f.NoticeForm,
    AppAction.CLOSE_NOTICE: f.ObjectionsForm,
    AppAction.UPHOLD_OBJECTION: f.UpholdForm,
    AppAction.DISTRICT_APPROVE: f.DistrictApproveForm,
    AppAction.DISTRICT_REJECT: f.ReasonsForm,
    AppAction.NOTIFY_REJECTION: f.StepForm,
    AppAction.EXTEND_DEADLINE: f.ExtendForm,
    AppAction.WITHDRAW: f.WithdrawForm,
}
# The committee's two outcomes share one form (approve / decline).
MERGED: dict[str, str] = {AppAction.DECLINE_EXCEPTION: AppAction.APPROVE_EXCEPTION}
DANGER = {AppAction.STREET_REJECT, AppAction.DISTRICT_REJECT, AppAction.WITHDRAW, AppAction.UPHOLD_OBJECTION}


def form_for(action: str, application: Application, data: Any = None, files: Any = None) -> forms.Form:
    cls = STEP_FORMS[action]
    kwargs: dict[str, Any] = {"data": data, "files": files, "prefix": action}
    if cls is f.InvestigatorsForm:
        kwargs["staff"] = investigator_choices(application.area_id)
    if cls is f.ExceptionProposalForm:
        kwargs["members"] = [(m.person_id, f"{m.person.name}（{m.relation}）")
                             for m in current_members(application.household)]
    return cls(**kwargs)


def available_steps(user: Any, application: Application, bound: tuple[str, forms.Form] | None = None,
                    ) -> list[dict[str, Any]]:
    """The steps the user may take now, each with its (possibly bound, with errors) form."""
    steps, seen = [], set()
    for row in actions_from("application", application.state):
        action = MERGED.get(row.action, row.action)
        if action in seen or not may(user, row):
            continue
        seen.add(action)
        if action == AppAction.RECORD_INVESTIGATION:
            steps.append({"action": action, "label": AppAction(action).label, "link": True})
            continue
        form = bound[1] if bound and bound[0] == action else form_for(action, application)
        label = "一事一议研究结果" if action == AppAction.APPROVE_EXCEPTION else AppAction(action).label
        steps.append({"action": action, "label": label, "form": form, "danger": action in DANGER,
                      "open": bool(bound and bound[0] == action),
                      "multipart": action == AppAction.RECORD_AUTHORISATION})
    return steps


def deadline(application: Application, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    due = application.due_date if application.is_open else (
        application.rejection_notify_due if application.state == AppState.REJECTED else None)
    if due is None:
        return {"due": None}
    late = today > due
    cal = default_calendar()
    return {
        "due": due,
        "kind": "书面告知期限" if application.state == AppState.REJECTED else "办结期限",
        "overdue": late,
        "remaining": 0 if late else cal.working_days_between(today, due),
        "estimated": not application.calendar_complete or not cal.knows(due.year),
        "extended": application.extended_on is not None,
    }


def _names(evaluation: Evaluation) -> dict[str, str]:
    return {str(m.person_id): m.person.name for m in evaluation.investigation.members.select_related("person")}


def _label(text: str, names: dict[str, str]) -> str:
    head, sep, tail = text.partition("（")
    return names[head] + sep + tail if head in names else text


def evaluation_view(evaluation: Evaluation | None) -> dict[str, Any] | None:
    """The evaluation as the review screens show it: amounts, members, steps, parameters and statuses."""
    if evaluation is None:
        return None
    result, names = evaluation.result, _names(evaluation)
    amounts = [{"name": n, "label": OUTPUT_ZH[n], "value": Decimal(result["amounts"][n]).quantize(FEN)}
               for n in HOUSEHOLD_OUTPUTS]
    members = []
    for mid, out in result["members"].items():
        paid = [{"label": OUTPUT_ZH[k], "value": Decimal(out[k]).quantize(FEN)} for k in MEMBER_AMOUNTS
                if Decimal(out[k])]
        members.append({"name": names.get(mid, mid), "status": out["status"],
                        "status_label": STATUS_ZH.get(out["status"], out["status"]), "paid": paid})
    steps = [{**s, "figures": [(_label(label, names), text) for label, text in s["figures"]],
              "assumed": any(p.get("status") == "assumed" for p in s["parameters"])} for s in result["steps"]]
    return {
        "evaluation": evaluation,
        "category": result["category"],
        "category_label": CATEGORY_ZH.get(result["category"], result["category"]),
        "amounts": [a for a in amounts if a["value"] or a["name"] == "total_monthly"],
        "members": members,
        "steps": steps,
        "assumed": evaluation.assumed,
    }
