"""A sliding-window rate limit kept in the server's memory: at most ``limit`` events per key in ``window_s``.

The Streamlit server is one process, so one limiter object sees every session. A slot is *reserved*
before the write and released if the write fails, so two submissions racing from one session cannot
both pass the last free slot, and a refused or failed attempt does not count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` events per key of ``kind`` within ``window_s`` seconds."""

    kind: str
    limit: int
    window_s: float


@dataclass
class Refusal:
    """Why a reservation was refused: the rule hit and the seconds until a slot frees."""

    rule: Rule
    retry_after_s: float

    @property
    def retry_after_min(self) -> int:
        return max(1, math.ceil(self.retry_after_s / 60))


@dataclass
class RateLimiter:
    """Sliding windows per ``(kind, key)``; ``clock`` is injectable for tests (seconds, monotonic)."""

    rules: tuple[Rule, ...]
    clock: Callable[[], float] = time.monotonic
    _events: dict[tuple[str, str], deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reserve(self, keys: dict[str, str | None]) -> list[tuple[str, str, float]] | Refusal:
        """Take a slot under every rule whose kind has a key in ``keys`` (None/empty keys are skipped).

        Returns the reservation (to :meth:`release` if the action fails) or the first :class:`Refusal`;
        nothing is recorded when refused.
        """
        now = self.clock()
        with self._lock:
            self._prune(now)
            taken = []
            for rule in self.rules:
                key = keys.get(rule.kind)
                if not key:
                    continue
                q = self._events.get((rule.kind, key), deque())
                recent = deque(t for t in q if now - t < rule.window_s)
                self._events[(rule.kind, key)] = recent
                if len(recent) >= rule.limit:
                    return Refusal(rule, rule.window_s - (now - recent[0]))
                taken.append((rule.kind, key))
            for kind, key in taken:
                self._events.setdefault((kind, key), deque()).append(now)
            return [(kind, key, now) for kind, key in taken]

    def release(self, reservation: Iterable[tuple[str, str, float]]) -> None:
        """Give back the slots of a reservation whose action did not happen."""
        with self._lock:
            for kind, key, at in reservation:
                q = self._events.get((kind, key))
                if q is not None and at in q:
                    q.remove(at)

    def _prune(self, now: float) -> None:
        """Forget events older than every window (memory stays bounded by the accepted events)."""
        longest = max((r.window_s for r in self.rules), default=0.0)
        for k in [k for k, q in self._events.items() if not q or now - q[-1] >= longest]:
            del self._events[k]
