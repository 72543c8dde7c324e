"""A bare aiogram 3 echo bot; aiogram's polling handles updates as concurrent tasks."""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def echo(message: Message) -> None:
    if message.text is not None:
        await message.answer(message.text)


async def main() -> None:
    server = TelegramAPIServer.from_base(os.environ["WNMRC_BOT_API_URL"])
    bot = Bot(os.environ["WNMRC_BOT_TOKEN"], session=AiohttpSession(api=server))
    dispatcher = Dispatcher()
    dispatcher.message.register(echo, F.text)
    await dispatcher.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
