"""Service-type social assistance (服务类社会救助, "大救助"): needs assessment, supply catalogue, matching,
referral and service records."""
