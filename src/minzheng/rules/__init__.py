"""Rules as code for the Shenyang assistance programmes (``shared/spec/policy-rules.md``), no Django.

- ``parameters/*.yaml`` + :mod:`.parameters`: dated values with unit, status (official/assumed) and
  legal reference; ``value(name, on)``.
- :mod:`.model`: the inputs (household, members, benefit month) with the keys of policy-tests.md.
- :func:`.evaluate.evaluate`: one household, one month → :class:`.explain.Result` (category, every
  output, per-member outputs and the explanation); :mod:`.means` holds the means-tested families.
- :mod:`.yamltests`: the YAML policy-test runner; ``cases/`` is the hand-computed case suite.
- :mod:`.bulk`: the same rules over columns (NumPy, integer fen) for payroll and monitoring.

Money is ``Decimal`` yuan (integer fen in the bulk path), never float.
"""
