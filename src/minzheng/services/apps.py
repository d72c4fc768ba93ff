from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "minzheng.services"
    label = "services"
    verbose_name = "服务类社会救助"
