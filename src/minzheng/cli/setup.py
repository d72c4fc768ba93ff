"""Bringing Django up for a command: settings, and a migrated database (created on first use)."""

from __future__ import annotations

import os


def django(*, migrate: bool = True, quiet: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import django as dj

    dj.setup()
    if migrate:
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
