from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "minzheng.authz"
    label = "authz"
    verbose_name = "用户与权限"
