"""Elderly care (养老服务): high-age allowance without application, capability assessment (GB/T 42195-2022
and the 特困 six-item self-care instrument), government-bought home care with monthly settlement, home
adaptation, meal points and accident insurance. See docs/eldercare.md."""
