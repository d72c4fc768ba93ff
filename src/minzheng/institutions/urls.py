from django.urls import path

from minzheng.institutions import views

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="institution_list"),
    path("export.xlsx", views.institution_export, name="institution_export"),
    path("new/", views.institution_create, name="institution_create"),
    path("standards/", views.standards, name="standards"),
    path("<int:pk>/", views.institution_detail, name="institution_detail"),
    path("<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("<int:pk>/apply/", views.rating_apply, name="rating_apply"),
    path("<int:pk>/rate/", views.rating_form, name="rating_form"),
    path("ratings/<int:pk>/", views.rating_detail, name="rating_detail"),
    path("<int:pk>/inspect/", views.inspection_form, name="inspection_form"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/record/", views.inspection_print, name="inspection_print"),
    path("inspections/<int:pk>/notice/", views.notice_print, name="notice_print"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/<str:action>/", views.finding_act, name="finding_act"),
    path("photos/<str:kind>/<int:pk>/", views.photo, name="photo"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
]
