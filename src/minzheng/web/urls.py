from django.urls import include, path

from minzheng.web import views

app_name = "web"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("", include("minzheng.core.urls", namespace="core")),
    path("audit/", include("minzheng.audit.urls", namespace="audit")),
    path("users/", include("minzheng.authz.urls", namespace="authz")),
]
