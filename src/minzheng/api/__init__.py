"""The JSON API root: versioned NinjaAPI instances (``v1``), bearer-token auth, shared schemas and paging.

Domain routers live beside their domain (``minzheng.core.api``); this package only mounts them.
"""
