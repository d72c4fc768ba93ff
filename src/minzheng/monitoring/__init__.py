"""低收入人口监测预警: alerts from the monitoring scenarios as work — pushed to a community with deadlines,
signed for, verified, judged, disposed and closed (销号); overdue ones escalate; key-monitoring lists."""
