"""The only code that writes elderly care's tables. Every function takes the acting user as ``user=``
(``None`` is the system: jobs, imports, the demo), runs in one transaction, is audited and raises typed
domain errors (``minzheng.core.errors``)."""
