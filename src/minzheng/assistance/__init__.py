"""分层分类社会救助: applications for 低保/特困/低保边缘/刚性支出困难 through the legal procedure, the life of
an enrollment (reviews, changes, gradual exit, expiry), 特困 self-care assessments and temporary assistance.

Anatomy: ``models/``, ``choices.py``, ``workflow.py`` (the transition tables), ``procedure.py`` (dated
procedure parameters), ``actions/`` (the only writers), ``selectors.py``, ``views/``, ``tasks.py`` (the daily
sweep) and ``demo.py``. Working days come from the project's calendar, ``core/workdays.py``. The
caseworker's page is ``docs/assistance.md``.
"""
