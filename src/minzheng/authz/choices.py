from django.db import models


class Role(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", "社区工作人员"
    STREET_REVIEWER = "street_reviewer", "街道审核人员"
    DISTRICT_APPROVER = "district_approver", "区县审批人员"
    CITY_ADMIN = "city_admin", "市级管理员"
    AUDITOR = "auditor", "审计人员"
    SERVICE_PROVIDER = "service_provider", "服务机构人员"
    DATA_OPERATOR = "data_operator", "数据管理员"


# Roles that read personal records (people, households, cases) inside their jurisdiction.
READS_PERSONAL_DATA = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_APPROVER, Role.CITY_ADMIN, Role.AUDITOR}
)
# Roles that change registry records (households, members, contact data).
WRITES_REGISTRY = frozenset({Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_APPROVER, Role.CITY_ADMIN})
# Roles that read the audit log of their jurisdiction.
READS_AUDIT = frozenset({Role.AUDITOR, Role.CITY_ADMIN})
# Roles that manage users (only inside their own jurisdiction).
MANAGES_USERS = frozenset({Role.CITY_ADMIN})
# Roles that run imports and feeds.
RUNS_IMPORTS = frozenset({Role.DATA_OPERATOR, Role.CITY_ADMIN})
