"""One running bot per database: a lease with a heartbeat, kept in the database itself.

Two bots polling with one token fight over getUpdates (Telegram answers 409) and both write
the same database. At start the bot takes the lease, or refuses in one line when another
process holds it: a heartbeat newer than ``STALE_AFTER`` and, on this host, a process that is
still alive. A holder killed with SIGKILL on this host is taken over at once; one on another
host (or frozen) once its heartbeat is stale. A bot that finds its lease taken over stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import timedelta

from bot.clock import Clock
from storage.database import Database
from storage.lease import Lease, LeaseRepository

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=30)


class LeaseHeldError(Exception):
    """Another running bot holds this database."""

    def __init__(self, holder: Lease, seconds_ago: float) -> None:
        super().__init__(
            f"another wnmrc-bot is running on this database (pid {holder.pid} on {holder.host},"
            f" alive {seconds_ago:.0f} s ago); stop it first"
        )


def holder_is_gone(held: Lease) -> bool:
    """Whether the holder is a process of this host that no longer exists."""
    if held.host != socket.gethostname():
        return False
    try:
        os.kill(held.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class DatabaseLease:
    """This process's lease: taken at start, renewed in the background, released at stop."""

    def __init__(self, db: Database, clock: Clock, on_lost: Callable[[], None]) -> None:
        self._repo = LeaseRepository(db)
        self._clock = clock
        self._on_lost = on_lost
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._heartbeat: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Take the lease and start the heartbeat; raises :class:`LeaseHeldError` when refused."""
        now = self._clock.now()
        mine = Lease(self._holder, socket.gethostname(), os.getpid(), now, now)
        held = await self._repo.take(mine, stale_before=now - STALE_AFTER, gone=holder_is_gone)
        if held is not None:
            raise LeaseHeldError(held, (now - held.heartbeat_at).total_seconds())
        self._heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                renewed = await self._repo.renew(self._holder, self._clock.now())
            except Exception:  # a busy database: try again at the next beat
                logger.warning("could not renew the database lease", exc_info=True)
                continue
            if not renewed:
                logger.error("another wnmrc-bot took over this database: stopping")
                self._on_lost()
                return

    async def release(self) -> None:
        """Stop the heartbeat and free the database for the next bot."""
        if self._heartbeat is None:
            return
        self._heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._heartbeat
        self._heartbeat = None
        await self._repo.release(self._holder)
