"""A script of network faults: fail, delay or drop chosen calls, or the whole network."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ApiError, error_for_status


@dataclass
class Fault:
    """Calls ``nth`` .. ``nth + times - 1`` of ``method`` (counted from when it was added)."""

    method: str
    nth: int = 1
    times: int = 1
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float | None = None
    drop: bool = False
    seen: int = 0

    def matches(self, method: str) -> bool:
        return self.method == "*" or self.method == method.lower()

    @property
    def exhausted(self) -> bool:
        return self.seen >= self.nth + self.times - 1

    def error(self) -> ApiError | None:
        if self.status is None:
            return None
        return error_for_status(self.status, self.description, self.retry_after)


class FaultScript:
    """What goes wrong, and when. Method names match case-insensitively; ``"*"`` matches all."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._faults: list[Fault] = []
        self._unreachable_until = 0.0

    def add(
        self,
        method: str,
        *,
        nth: int = 1,
        times: int = 1,
        status: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        drop: bool = False,
    ) -> Fault:
        """Script a fault: answer ``status``, answer after ``delay`` s, or ``drop`` the connection.

        A delay alone lets the call act and answers late (past the client's time-out the
        bot never learns that it acted); a delay with a status answers the error late.
        A drop closes the connection before the call acts.
        """
        if nth < 1 or times < 1:
            raise ValueError("nth and times count from 1")
        if drop and (status is not None or delay is not None):
            raise ValueError("a dropped call has neither a status nor a delay")
        if not drop and status is None and delay is None:
            raise ValueError("give a status, a delay or drop=True")
        fault = Fault(method.lower(), nth, times, status, description, retry_after, delay, drop)
        self._faults.append(fault)
        return fault

    def unreachable(self, seconds: float) -> None:
        """Drop every request for the next ``seconds``."""
        self._unreachable_until = self._clock() + seconds

    def clear(self) -> None:
        self._faults.clear()
        self._unreachable_until = 0.0

    @property
    def pending(self) -> list[Fault]:
        return list(self._faults)

    def is_unreachable(self) -> bool:
        return self._clock() < self._unreachable_until

    def fault_for(self, method: str) -> Fault | None:
        """Count this call against every matching fault; return the first one it triggers."""
        if not self._faults:
            return None
        triggered = None
        for fault in self._faults:
            if not fault.matches(method):
                continue
            fault.seen += 1
            if triggered is None and fault.nth <= fault.seen < fault.nth + fault.times:
                triggered = fault
        self._faults = [fault for fault in self._faults if not fault.exhausted]
        return triggered
