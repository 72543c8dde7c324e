"""Placeholder: filled in by the profile feature."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import BotContext


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return []
