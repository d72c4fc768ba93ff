"""Fixtures of the web tests. (Flushing past the audit triggers is handled once, in the root conftest.)"""
