from django.urls import path

from minzheng.eldercare.views import community as c
from minzheng.eldercare.views import homecare as h
from minzheng.eldercare.views import office as o

app_name = "eldercare"

urlpatterns = [
    path("", o.home, name="home"),
    path("people/", o.people, name="people"),
    path("people/<int:pk>/", o.person, name="person"),
    path("allowance/", o.allowance, name="allowance"),
    path("allowance/start/", o.allowance_start, name="allowance_start"),
    path("allowance/runs/<int:pk>/", o.allowance_run, name="allowance_run"),
    path("allowance/apply/", o.allowance_apply, name="allowance_apply"),
    path("assessments/", o.assessments, name="assessments"),
    path("assessments/new/<int:person_pk>/", o.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", o.assessment, name="assessment"),
    path("assessments/<int:pk>/report/", o.assessment_report, name="assessment_report"),
    path("selfcare/new/<int:person_pk>/", o.selfcare_new, name="selfcare_new"),
    path("order/", h.public_order, name="public_order"),
    path("orders/", h.orders, name="orders"),
    path("orders/new/<int:person_pk>/", h.order_new, name="order_new"),
    path("orders/<int:pk>/", h.order, name="order"),
    path("orders/<int:pk>/<slug:step>/", h.order_action, name="order_action"),
    path("provider/", h.provider_inbox, name="provider"),
    path("worker/", h.worker_home, name="worker"),
    path("worker/<int:pk>/", h.worker_visit, name="worker_visit"),
    path("settlements/", h.settlements, name="settlements"),
    path("settlements/<int:pk>/", h.settlement, name="settlement"),
    path("settlements/<int:pk>/confirm/", h.settlement_confirm, name="settlement_confirm"),
    path("settlements/<int:pk>/export.xlsx", h.settlement_export, name="settlement_export"),
    path("adaptation/", c.adaptations, name="adaptations"),
    path("adaptation/new/<int:person_pk>/", c.adaptation_new, name="adaptation_new"),
    path("adaptation/<int:pk>/", c.adaptation, name="adaptation"),
    path("adaptation/<int:pk>/<slug:step>/", c.adaptation_step, name="adaptation_step"),
    path("meals/", c.meal_points, name="meal_points"),
    path("meals/<int:pk>/", c.meal_point, name="meal_point"),
    path("insurance/", c.insurance, name="insurance"),
    path("insurance/enrol/", c.insurance_enrol, name="insurance_enrol"),
]
