"""Whose claims are these? Each sender names its claims ``host:pid:random``, so a restarted
process can tell which claimed rows belonged to a process of this host that no longer runs."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterable


def sender_identity(host: str | None = None, pid: int | None = None) -> str:
    """``host:pid:random`` — names this process's claims, so a restart can tell they are dead."""
    host = host or socket.gethostname()
    pid = pid if pid is not None else os.getpid()
    return f"{host}:{pid}:{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this host."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned_claimants(
    claimants: Iterable[str],
    own: str,
    *,
    host: str,
    pid: int,
    alive: Callable[[int], bool] = pid_alive,
) -> list[str]:
    """The claimants that were processes of this host which no longer run.

    A claimant with this process's own pid but another identity was an earlier process whose
    pid was reused by this one. Claimants of other hosts are left to the lease.
    """
    orphans = []
    for claimant in claimants:
        parts = claimant.rsplit(":", 2)
        if claimant == own or len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
            continue
        claimant_pid = int(parts[1])
        if claimant_pid == pid or not alive(claimant_pid):
            orphans.append(claimant)
    return orphans
