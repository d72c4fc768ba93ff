"""The only code that writes the core tables. Every function runs in one transaction and is audited."""
