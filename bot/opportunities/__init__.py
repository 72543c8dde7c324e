"""Opportunities: project partners, funding calls, internships, exchanges, placements, calls.

``rules`` (kinds, matching, /find's ranking, reading answers, buttons: pure), ``service`` (the
use cases, each in one unit of work). The conversation is ``handlers/opportunities.py``.
"""
