"""Bare echo bots the full bot is compared with; each runs as ``python -m bench.baselines.NAME``.

Each reads ``WNMRC_BOT_TOKEN`` and ``WNMRC_BOT_API_URL`` and replies to every text message with
the same text, until SIGTERM.
"""
