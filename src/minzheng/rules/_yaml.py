"""YAML reading for rules data: floats are read as exact ``Decimal`` from their source text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml


class DecimalLoader(yaml.SafeLoader):
    """A safe loader whose floats are ``Decimal`` (``0.80`` is exactly 0.80, never a binary float)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise yaml.constructor.ConstructorError(None, None, f"not a number: {text}", node.start_mark) from exc
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"not a finite number: {text}", node.start_mark)
    return value


DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file with :class:`DecimalLoader`."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=DecimalLoader)  # noqa: S506 - DecimalLoader is a SafeLoader


def loads_yaml(text: str) -> Any:
    """Parse YAML text with :class:`DecimalLoader`."""
    return yaml.load(text, Loader=DecimalLoader)  # noqa: S506 - DecimalLoader is a SafeLoader
