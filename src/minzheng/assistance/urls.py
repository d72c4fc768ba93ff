from django.urls import path

from minzheng.assistance.views import applications as v
from minzheng.assistance.views import life, public

app_name = "assistance"

urlpatterns = [
    path("", v.index, name="index"),
    path("status/", public.status, name="status"),
    path("applications/", v.application_list, name="application_list"),
    path("applications/new/", v.application_new, name="application_new"),
    path("applications/<int:pk>/", v.application_detail, name="application_detail"),
    path("applications/<int:pk>/act/<str:action>/", v.application_act, name="application_act"),
    path("applications/<int:pk>/investigation/", v.investigation, name="investigation"),
    path("applications/<int:pk>/tekun/<int:person_pk>/", v.tekun_assessment, name="tekun_assessment"),
    path("applications/<int:pk>/notice/", v.notice_print, name="notice_print"),
    path("applications/<int:pk>/rejection/", v.rejection_print, name="rejection_print"),
    path("applications/<int:pk>/documents/<int:doc_pk>/", v.document_download, name="document"),
    path("applications/<int:pk>/authorisation/", v.authorisation_download, name="authorisation"),
    path("households/<int:pk>/", life.household, name="household"),
    path("households/<int:pk>/change/", life.report_change, name="report_change"),
    path("enrollments/<int:pk>/act/<str:action>/", life.enrollment_act, name="enrollment_act"),
    path("reviews/", life.review_list, name="review_list"),
    path("reviews/<int:pk>/", life.review_detail, name="review_detail"),
    path("temporary/", life.temporary_list, name="temporary_list"),
    path("temporary/new/", life.temporary_new, name="temporary_new"),
    path("temporary/<int:pk>/", life.temporary_detail, name="temporary_detail"),
    path("temporary/<int:pk>/act/<str:action>/", life.temporary_act, name="temporary_act"),
]
