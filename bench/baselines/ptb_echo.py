"""A bare python-telegram-bot echo bot with PTB's defaults; ``--concurrent`` adds
``concurrent_updates(256)`` (PTB's default request class either way)."""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    builder = (
        Application.builder()
        .token(os.environ["WNMRC_BOT_TOKEN"])
        .base_url(os.environ["WNMRC_BOT_API_URL"] + "/bot")
    )
    if "--concurrent" in sys.argv[1:]:
        builder = builder.concurrent_updates(256)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()


if __name__ == "__main__":
    main()
