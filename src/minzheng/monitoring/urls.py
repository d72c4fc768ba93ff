from django.urls import path

from minzheng.monitoring import views as v

app_name = "monitoring"

urlpatterns = [
    path("", v.inbox, name="inbox"),
    path("export/", v.export, name="export"),
    path("alerts/<int:pk>/", v.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/act/<str:action>/", v.alert_act, name="alert_act"),
    path("alerts/<int:pk>/dispose/<str:kind>/", v.alert_dispose, name="alert_dispose"),
    path("alerts/<int:pk>/watch/", v.alert_watch, name="alert_watch"),
    path("watch/", v.watch_list, name="watch_list"),
    path("watch/<int:pk>/", v.watch_detail, name="watch_detail"),
    path("watch/<int:pk>/act/<str:action>/", v.watch_act, name="watch_act"),
    path("dashboard/", v.dashboard, name="dashboard"),
]
