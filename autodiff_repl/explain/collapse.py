"""Finding repeated structure: a loop unrolled a thousand times draws as a few lines.

``collapse(signatures)`` splits a sequence (one signature per node, in creation order) into
parts. A run of the same ``period`` signatures repeated at least ``MIN_REPEAT`` times becomes
three parts: the first repetition (shown), the middle (``repeat`` > 1, drawn as one line) and the
last repetition (shown). Everything else is a part of one node shown as itself.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PERIOD = 8
MIN_REPEAT = 4


@dataclass(frozen=True)
class Part:
    start: int
    period: int
    repeat: int

    @property
    def span(self) -> int:
        return self.period * self.repeat


def _run(sigs: list, i: int, p: int) -> int:
    """How many times ``sigs[i:i+p]`` repeats back to back from ``i``."""
    block = sigs[i:i + p]
    k = 1
    while i + (k + 1) * p <= len(sigs) and sigs[i + k * p:i + (k + 1) * p] == block:
        k += 1
    return k


def collapse(sigs: list) -> list[Part]:
    parts: list[Part] = []
    i, n = 0, len(sigs)
    while i < n:
        best = None
        for p in range(1, MAX_PERIOD + 1):
            if i + p * MIN_REPEAT > n:
                break
            k = _run(sigs, i, p)
            if k >= MIN_REPEAT and (best is None or k * p > best[0] * best[1]):
                best = (p, k)
        if best is None:
            parts.append(Part(i, 1, 1))
            i += 1
            continue
        p, k = best
        parts += [Part(i, p, 1), Part(i + p, p, k - 2), Part(i + (k - 1) * p, p, 1)]
        i += k * p
    return parts
