"""Pages of the payments app (see the modules: payrolls, bank, reports)."""
