from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "minzheng.intake"
    label = "intake"
    verbose_name = "数据导入"
