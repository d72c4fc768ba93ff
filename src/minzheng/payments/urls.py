from django.urls import path

from minzheng.payments.views import bank, payrolls, reports

app_name = "payments"

urlpatterns = [
    path("", payrolls.payroll_list, name="payroll_list"),
    path("payrolls/<int:pk>/", payrolls.payroll_detail, name="payroll_detail"),
    path("payrolls/<int:pk>/act/<str:action>/", payrolls.payroll_act, name="payroll_act"),
    path("entries/<int:pk>/", payrolls.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reverse/", payrolls.entry_reverse, name="entry_reverse"),
    path("disbursements/<int:pk>/", bank.disbursement_detail, name="disbursement_detail"),
    path("disbursements/<int:pk>/file.<str:fmt>", bank.disbursement_file, name="disbursement_file"),
    path("disbursements/<int:pk>/return/", bank.return_upload, name="return_upload"),
    path("lines/<int:pk>/", bank.line_detail, name="line_detail"),
    path("lines/<int:pk>/act/<str:action>/", bank.line_act, name="line_act"),
    path("households/<int:household_pk>/account/", bank.account_new, name="account_new"),
    path("households/<int:household_pk>/basis/", bank.basis_record, name="basis_record"),
    path("enrollments/<int:pk>/basis/", bank.basis_for_enrollment, name="basis_for_enrollment"),
    path("recoveries/", bank.recovery_list, name="recovery_list"),
    path("recoveries/<int:pk>/", bank.recovery_detail, name="recovery_detail"),
    path("recoveries/<int:pk>/act/<str:action>/", bank.recovery_act, name="recovery_act"),
    path("reports/", reports.report, name="report"),
]
