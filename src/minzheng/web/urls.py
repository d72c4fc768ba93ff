from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path

app_name = "web"

urlpatterns = [
    path("", lambda request: HttpResponse("Minzheng"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", lambda request: HttpResponse("password"), name="password_change"),
]
