from minzheng.monitoring.models.alerts import (
    Alert,
    AlertEvent,
    AppendOnly,
    Disposition,
    Judgement,
    MonitoringRun,
    MonitoringSweep,
)
from minzheng.monitoring.models.watch import KeyMonitoring, Revisit

__all__ = [
    "Alert",
    "AlertEvent",
    "AppendOnly",
    "Disposition",
    "Judgement",
    "KeyMonitoring",
    "MonitoringRun",
    "MonitoringSweep",
    "Revisit",
]
