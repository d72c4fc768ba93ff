from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "完成"
    WITH_ERRORS = "with_errors", "完成（有文件被拒绝）"
    FAILED = "failed", "失败"


class FileStatus(models.TextChoices):
    TAKEN = "taken", "已导入"
    ALREADY_IMPORTED = "already_imported", "此前已导入（内容相同）"
    REJECTED = "rejected", "整个文件被拒绝"
    FAILED = "failed", "导入失败（未写入任何行）"
    NOT_HANDLED = "not_handled", "暂不处理"
    IGNORED = "ignored", "不是数据交换文件"
