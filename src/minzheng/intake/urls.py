from django.urls import path

from minzheng.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
]
