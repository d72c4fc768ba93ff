from django.urls import include, path

urlpatterns = [
    path("api/", include("minzheng.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("assistance/", include("minzheng.assistance.urls")),
    path("services/", include("minzheng.services.urls")),
    path("institutions/", include("minzheng.institutions.urls")),
    path("monitoring/", include("minzheng.monitoring.urls")),
    path("eldercare/", include("minzheng.eldercare.urls")),
    path("payments/", include("minzheng.payments.urls")),
    path("imports/", include("minzheng.intake.urls")),
    path("", include("minzheng.web.urls")),
]
