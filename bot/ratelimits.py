"""Transition re-export: Telegram's flood limits now live in ``bot.outbox.pacing``."""

from bot.outbox.pacing import Pacer, RateLimits, Window, backoff, is_private_chat

__all__ = ["Pacer", "RateLimits", "Window", "backoff", "is_private_chat"]
