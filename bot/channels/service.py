"""The use cases of /notify: how a person is reached, and proving their e-mail address with a
code sent to it (docs/developers.md, "E-mail, the second channel")."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from bot.channels import rules
from bot.channels.rules import ChannelChoice
from bot.clock import Clock
from bot.i18n import N_, I18n
from bot.outbox import OutboxService
from storage import Repositories
from storage.channels import ChannelState
from storage.outbox import OutboxPayload, OutgoingMessage, mail_only_chat

CODE_KIND: Final = "email-code"
"""The draft waiting for the code typed in the bot."""

CODE_MAIL: Final = N_(
    "Your code for the assistant of the World Network of Mountain Biosphere Reserves: "
    "<b>{code}</b>\n\nType it in your chat with the bot to confirm this address. It is valid "
    "for 30 minutes. If you did not ask for it, ignore this e-mail."
)

NO_EMAIL: Final = N_("You have no e-mail address yet: add it with /profile, then come back here.")
NO_SMTP: Final = N_("This bot does not send e-mail: it reaches you by Telegram only.")
NOT_VERIFIED: Final = N_("Confirm your e-mail address first: tap “Send me a code”.")
WAIT: Final = N_("I sent you a code less than a minute ago; please check your mailbox first.")
WRONG: Final = N_("That is not the code I sent. Try again, or /notify for a new one.")
EXPIRED: Final = N_("This code no longer works. /notify sends you a new one.")
NOT_A_CODE: Final = N_("Please type the six digits of the code I sent to your address.")


@dataclass(frozen=True)
class Refusal:
    """A one-line answer; nothing changed."""

    reason: str


@dataclass(frozen=True)
class CodeSent:
    email: str


@dataclass(frozen=True)
class Verified:
    email: str


@dataclass(frozen=True)
class Chosen:
    choice: ChannelChoice


class ChannelsService:
    """How a person is reached: Telegram, e-mail or both, and their verified address."""

    def __init__(
        self, repos: Repositories, clock: Clock, i18n: I18n, outbox: OutboxService
    ) -> None:
        self.repos = repos
        self.clock = clock
        self.i18n = i18n
        self.outbox = outbox

    @property
    def email_on(self) -> bool:
        """Whether the bot sends e-mail at all (``WNMRC_SMTP_URL`` set)."""
        return self.repos.outbox.email_enabled

    async def state(self, person_id: int) -> ChannelState | None:
        return await self.repos.channels.state(person_id)

    async def choose(self, person_id: int, choice: ChannelChoice) -> Chosen | Refusal:
        """Reach the person this way; e-mail only once their address is verified."""
        state = await self.repos.channels.state(person_id)
        if state is None:
            return Refusal(N_("This button is no longer valid."))
        if choice != "telegram":
            refusal = self._email_refusal(state)
            if refusal is not None:
                return refusal
        await self.repos.channels.choose(person_id, choice, _token(), self.clock.now())
        return Chosen(choice)

    async def send_code(self, person_id: int, chat_id: int | None) -> CodeSent | Refusal:
        """A new code to the address in their profile, by e-mail only; the bot then waits for
        it (a draft), all in one unit of work."""
        state = await self.repos.channels.state(person_id)
        if state is None:
            return Refusal(N_("This button is no longer valid."))
        if not self.email_on:
            return Refusal(NO_SMTP)
        if state.email is None:
            return Refusal(NO_EMAIL)
        now = self.clock.now()
        if state.code_email == state.email.lower() and not rules.may_resend(
            state.code_expires_at, now
        ):
            return Refusal(WAIT)
        code = rules.new_code()
        person = await self.repos.people.get(person_id)
        tr = self.i18n.for_person(
            person.language if person else None, person.telegram_language if person else None
        )
        message = OutgoingMessage(
            kind="notice",
            chat_id=mail_only_chat(person_id),
            person_id=person_id,
            dedupe_key=f"email-code:{person_id}:{now.isoformat()}",
            payload=OutboxPayload(text=tr(CODE_MAIL, code=code), email_to=state.email),
            due_at=now,
            expires_at=now + rules.CODE_VALID,
        )
        async with self.repos.unit() as uow:
            await uow.channels.start_code(
                person_id,
                state.email,
                rules.code_hash(person_id, code),
                now + rules.CODE_VALID,
                _token(),
                now,
            )
            await self.outbox.enqueue(uow, [message])
            await uow.drafts.save(person_id, CODE_KIND, "code", {}, chat_id, now)
        return CodeSent(state.email)

    async def enter_code(self, person_id: int, text: str) -> Verified | Refusal:
        """The code typed in the bot: right, the address is verified and the draft closed."""
        typed = rules.typed_code(text)
        if typed is None:
            return Refusal(NOT_A_CODE)
        state = await self.repos.channels.state(person_id)
        if state is None or state.code_email is None:
            await self.repos.drafts.delete(person_id, CODE_KIND)
            return Refusal(EXPIRED)
        now = self.clock.now()
        check = rules.check_code(
            person_id, typed, state.code_hash, state.code_expires_at, state.code_attempts, now
        )
        if check == "wrong":
            await self.repos.channels.count_attempt(person_id, now)
            return Refusal(WRONG)
        if check != "right":
            await self.repos.drafts.delete(person_id, CODE_KIND)
            return Refusal(EXPIRED)
        async with self.repos.unit() as uow:
            await uow.channels.verify(person_id, state.code_email, now)
            await uow.drafts.delete(person_id, CODE_KIND)
        return Verified(state.code_email)

    async def unsubscribe(self, token: str) -> str | None:
        """The unsubscribe link of an e-mail: back to Telegram only. Returns the person's
        language (None: no one has this token)."""
        language = await self.language_of_token(token)
        person_id = await self.repos.channels.by_unsubscribe_token(token)
        if language is None or person_id is None:
            return None
        await self.repos.channels.choose(person_id, "telegram", _token(), self.clock.now())
        return language

    async def language_of_token(self, token: str) -> str | None:
        """The language of the person an unsubscribe token names (None: nobody)."""
        person_id = await self.repos.channels.by_unsubscribe_token(token)
        person = None if person_id is None else await self.repos.people.get(person_id)
        if person is None:
            return None
        return self.i18n.for_person(person.language, person.telegram_language).language

    def _email_refusal(self, state: ChannelState) -> Refusal | None:
        if not self.email_on:
            return Refusal(NO_SMTP)
        if state.email is None:
            return Refusal(NO_EMAIL)
        if not state.email_verified:
            return Refusal(NOT_VERIFIED)
        return None


def _token() -> str:
    """A new unsubscribe token (kept only when the person has none yet)."""
    return secrets.token_urlsafe(16)
