"""A bare python-telegram-bot echo bot with PTB's defaults; ``--concurrent`` adds
``concurrent_updates(256)``; ``--aiohttp`` (with ``--concurrent``) also swaps PTB's httpx
transport for the bot's own request class (``bot/http.py``), as ``wnmrc-bot run`` uses it: the
ceiling of the framework on the bot's transport."""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.http import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    flags = set(sys.argv[1:])
    builder = (
        Application.builder()
        .token(os.environ["WNMRC_BOT_TOKEN"])
        .base_url(os.environ["WNMRC_BOT_API_URL"] + "/bot")
    )
    if "--concurrent" in flags or "--aiohttp" in flags:
        builder = builder.concurrent_updates(256)
    if "--aiohttp" in flags:
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(pool_size=1, read_timeout=30.0)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()


if __name__ == "__main__":
    main()
