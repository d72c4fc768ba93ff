from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "minzheng.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"
    default_auto_field = "django.db.models.BigAutoField"
