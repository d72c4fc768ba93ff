"""The planted cases, one function each (``cases_find``, ``cases_monitor``): ``_<scenario>_<case>``;
``nm`` marks a near-miss that must NOT fire. Each firing case states its truth row(s) explicitly; its
amounts come from the hard-coded policy table in ``params``. Everything a case does not take in hand
is kept clean by ``Builder.finalise``.
"""

from __future__ import annotations

from collections.abc import Callable

from minzheng.synth import cases_find, cases_monitor
from minzheng.synth.plant import Builder

_PREFIXES = ("_ha_", "_dc_", "_dl_", "_uc_", "_md_", "_ai_", "_hr_")

CASES: tuple[Callable[[Builder], None], ...] = tuple(
    f
    for module in (cases_find, cases_monitor)
    for name, f in sorted(vars(module).items())
    if name.startswith(_PREFIXES) and callable(f)
)


def plant(b: Builder, sets: int) -> None:
    """``sets`` repetitions of every case, then the clean-keeping finalisation."""
    for _ in range(sets):
        for fn in CASES:
            b.case = fn.__name__.lstrip("_")
            fn(b)
    b.finalise()
