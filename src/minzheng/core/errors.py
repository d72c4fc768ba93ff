"""Typed domain errors raised by actions and selectors; the web and API layers map them to responses."""


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user (Chinese)."""


class NotFound(DomainError):
    """The record does not exist, or it is outside the user's jurisdiction (the two look the same)."""


class Forbidden(DomainError):
    """The user's role may not do this."""


class InvalidChange(DomainError):
    """The change contradicts the records (e.g. removing a head, a person already in another household)."""
