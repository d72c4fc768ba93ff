"""The seven monitoring scenarios of monitoring-scenarios.md as SQL, run by DuckDB or Spark (no Django).

See :mod:`.engine` (``run``), ``sql/`` (the definitions), :mod:`.params` (dated parameters),
:mod:`.archive` (the archive snapshot) and docs/monitoring-engine.md.
"""
