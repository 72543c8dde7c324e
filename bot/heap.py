"""The garbage collector after start-up: what exists then lives as long as the process.

CPython's cyclic collector walks every tracked object on each full pass; the modules, classes,
catalogs and settings loaded at start-up are most of them and never become garbage. Moving them
to the permanent generation (``gc.freeze``) keeps full passes proportional to what the bot
creates while it runs: without it, composing the digest of 50,000 members took 1.5x longer
than ten times the digest of 5,000 (``bench/digest.py``, ``ratio_growth_50000_vs_5000``).
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, then exempt everything alive from later collections (call once, at start)."""
    gc.collect()
    gc.freeze()
