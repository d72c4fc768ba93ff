"""Terminal progress: rows, percent and rate on stderr; silent under ``--quiet`` or off a terminal."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """``with Progress("population", total=n, quiet=args.quiet) as p: p.advance(k)``."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        quiet: bool = False,
        unit: str = "行",
        stream: TextIO | None = None,
        min_interval: float = 0.25,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.min_interval = min_interval
        self.started = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish()

    @property
    def rate(self) -> float:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return self.done / elapsed

    def line(self) -> str:
        parts = [f"{self.label}: {self.done:,} {self.unit}"]
        if self.total:
            parts.append(f"{100.0 * self.done / self.total:5.1f}%")
        parts.append(f"{self.rate:,.0f} {self.unit}/s")
        return "  ".join(parts)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.quiet or not self.tty:
            return
        now = time.monotonic()
        if now - self._last >= self.min_interval:
            self._last = now
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()

    def finish(self) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r" + self.line() + "\x1b[K\n")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
