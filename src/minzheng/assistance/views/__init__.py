"""Pages of the assistance app (split by aggregate: applications, the life of an enrollment, public)."""
