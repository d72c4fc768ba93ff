from minzheng.authz.models.tokens import APIToken
from minzheng.authz.models.users import User

__all__ = ["APIToken", "User"]
