"""The garbage collector at start-up and after it.

Start-up (importing the bot, its libraries and catalogs, building the application) creates
hundreds of thousands of objects and frees almost none of them, so the cyclic collector's
passes during it find nothing: ``wnmrc-bot`` starts with it paused (``bot/launcher.py``), which
takes about 15% off the CPU of every start (measured: 1.36 s against 1.16 s to import the
bot, eight starts each way).

What exists once the bot has started lives as long as the process. CPython's collector walks
every tracked object on each full pass; moving them to the permanent generation
(``gc.freeze``) keeps full passes proportional to what the bot creates while it runs: without
it, composing the digest of 50,000 members took 1.5x longer than ten times the digest of 5,000
(``bench/digest.py``, ``ratio_growth_50000_vs_5000``).
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, exempt everything alive from later collections, and collect from now on
    (call once, when the bot has started)."""
    gc.collect()
    gc.freeze()
    gc.enable()


def resume_collections() -> None:
    """Collect from now on (a one-shot command, once it knows what it is to do)."""
    gc.enable()
