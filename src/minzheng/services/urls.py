from django.urls import path

from minzheng.services import referral_views as rv
from minzheng.services import views as v

app_name = "services"

urlpatterns = [
    path("", v.home, name="home"),
    path("needs/", v.need_list, name="needs"),
    path("households/<int:pk>/", v.household, name="household"),
    path("households/<int:pk>/assess/", v.assess, name="assess"),
    path("households/<int:pk>/timeline/", v.timeline, name="timeline"),
    path("assessments/<int:pk>/", v.assessment, name="assessment"),
    path("runs/", v.run_list, name="runs"),
    path("runs/start/", v.run_start, name="run_start"),
    path("runs/<int:pk>/", v.run_detail, name="run"),
    path("catalogue/", v.catalogue, name="catalogue"),
    path("catalogue/<slug:name>.json", v.catalogue_hsds, name="catalogue_hsds"),
    path("offerings/<int:pk>/capacity/", v.offering_capacity, name="offering_capacity"),
    path("stats/", v.stats, name="stats"),
    path("instrument/", v.instrument, name="instrument"),
    path("inbox/", rv.inbox, name="inbox"),
    path("referrals/<int:pk>/", rv.referral_detail, name="referral"),
    path("referrals/<int:pk>/accept/", rv.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/decline/", rv.referral_decline, name="referral_decline"),
    path("referrals/<int:pk>/visit/", rv.referral_visit, name="referral_visit"),
    path("referrals/<int:pk>/complete/", rv.referral_complete, name="referral_complete"),
    path("referrals/<int:pk>/cancel/", rv.referral_cancel, name="referral_cancel"),
    path("referrals/<int:pk>/feedback/", rv.referral_feedback, name="referral_feedback"),
    path("referrals/<int:pk>/notice/", rv.referral_notice, name="referral_notice"),
    path("photos/<int:pk>/", rv.photo, name="photo"),
]
