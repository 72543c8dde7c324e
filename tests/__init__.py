"""The test suite. Imported before ``tests/conftest.py``, so it can say how modules are compiled.

Python writes each module's compiled form (``__pycache__``) only when ``PYTHONDONTWRITEBYTECODE``
is unset, and some machines (this workplace's included) set it. The suite starts the bot in many
child processes (``wnmrc-bot run`` in the kill loops, the CLI and sandbox tests, the benchmarks)
and six workers: without the compiled files each of them compiled the whole bot again (about a
second of CPU each). So the suite turns the writing back on for itself and its children; the
folders it writes are ignored by git.
"""

import os
import sys

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
