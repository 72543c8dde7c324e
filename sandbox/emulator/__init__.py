"""A strict Telegram Bot API emulator on loopback, for tests, benchmarks and the sandbox.

The unmodified bot talks to it through PTB's real HTTP stack::

    async with Emulator() as emu:
        app = (
            ApplicationBuilder()
            .token(emu.token)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .build()
        )
        ana = emu.add_user("Ana", language_code="es")
        reply = await emu.says(ana, "/start")
"""

from .emulator import Emulator
from .errors import ApiError
from .faults import Fault, FaultScript
from .html import Formatted, ParseError, escape, parse_html
from .journal import Attachment, CallbackAnswer, CallRecord, LedgerEntry, Stats
from .limits import TelegramLimits
from .markup import Button
from .people import ChatRef, MessageRef
from .text import utf16_len
from .world import SimChat, SimMessage, SimPoll, SimUser, StoredFile, Topic

__all__ = [
    "ApiError",
    "Attachment",
    "Button",
    "CallRecord",
    "CallbackAnswer",
    "ChatRef",
    "Emulator",
    "Fault",
    "FaultScript",
    "Formatted",
    "LedgerEntry",
    "MessageRef",
    "ParseError",
    "SimChat",
    "SimMessage",
    "SimPoll",
    "SimUser",
    "Stats",
    "StoredFile",
    "TelegramLimits",
    "Topic",
    "escape",
    "parse_html",
    "utf16_len",
]
