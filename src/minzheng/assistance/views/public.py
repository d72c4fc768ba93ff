"""The resident's status page: no sign-in; the application number and the applicant's ID number, both
required, answer only the state, the date of the last step and the next step. A wrong pair, an unknown
number and a malformed value all get the same answer; lookups are rate-limited per address."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from minzheng.assistance.choices import AppState
from minzheng.assistance.forms import StatusLookupForm
from minzheng.assistance.selectors import resident_lookup
from minzheng.web.http import client_ip, no_store

# What a resident reads: a plain state and the next step (nothing about amounts, members or reviewers).
RESIDENT_VIEW: dict[str, tuple[str, str]] = {
    AppState.SUBMITTED: ("已提交申请", "签署家庭经济状况核对授权书后，街道（乡镇）受理申请"),
    AppState.ACCEPTED: ("已受理", "工作人员将入户调查家庭经济状况"),
    AppState.INVESTIGATING: ("入户调查中", "调查完成后进行审核"),
    AppState.INVESTIGATED: ("审核中", "街道（乡镇）审核"),
    AppState.EVALUATED: ("审核中", "街道（乡镇）审核"),
    AppState.EXCEPTION: ("审核中", "街道（乡镇）审核"),
    AppState.STREET_APPROVED: ("街道（乡镇）审核通过", "在社区（村）公示 7 天"),
    AppState.IN_NOTICE: ("公示中", "公示期满后报区县民政部门审批"),
    AppState.DISTRICT_REVIEW: ("区县审批中", "区县民政部门作出决定"),
    AppState.APPROVED: ("已批准", "自批准的次月起按月发放"),
    AppState.REJECTED: ("不予批准", "工作人员将书面告知理由"),
    AppState.NOTIFIED: ("不予批准（已书面告知）", "如有异议，可依法申请行政复议或者提起行政诉讼"),
    AppState.WITHDRAWN: ("申请已撤回", "如需帮助，可重新提出申请"),
}
NOT_FOUND = "未查到与该申请编号和身份证号相符的申请，请核对后重试。"
LIMITED = "查询过于频繁，请稍后再试。"


def _over_limit(request: HttpRequest) -> bool:
    limit = int(getattr(settings, "MINZHENG_STATUS_LOOKUPS", 10))
    window = int(getattr(settings, "MINZHENG_STATUS_WINDOW_SECONDS", 600))
    key = f"assistance:status:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


@sensitive_post_parameters("id_number")
@csrf_protect
@never_cache
def status(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.POST or None)
    answer, message, code = None, "", 200
    if request.method == "POST":
        if _over_limit(request):
            message, code = LIMITED, 429
        elif not form.is_valid():
            message, code = "请填写申请编号和申请人身份证号。", 400
        else:
            application = resident_lookup(form.cleaned_data["number"], form.cleaned_data["id_number"])
            if application is None:
                message = NOT_FOUND
            else:
                state, next_step = RESIDENT_VIEW[application.state]
                answer = {"state": state, "last_step_on": application.last_step_on, "next_step": next_step}
    response = render(request, "assistance/status.html", {"form": StatusLookupForm(), "answer": answer,
                                                          "message": message}, status=code)
    return no_store(response)
