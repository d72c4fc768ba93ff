"""The only code that writes the registry's tables. Every function runs in one transaction and is audited."""
