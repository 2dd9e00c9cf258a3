#!/usr/bin/env python3
"""The published rule of a launch-day draw (CMP-5), and its standalone verifier.

This file imports nothing but the Python standard library, so anyone can check a draw with it:

    python3 drawrule.py round.json

where ``round.json`` is what the round's public page offers for download. The platform itself
draws with these same functions (one rule, one place).

The rule
--------
1. Before the round opens the platform publishes a **commitment**: SHA-256 of a secret random seed
   (32 random bytes written as 64 lower-case hex characters), in hex.
2. When the round closes, the entry list is frozen and its **digest** published: SHA-256 of the
   UTF-8 text made of one line per entry, ``number|receipt|masked phone`` followed by a newline,
   in ascending entry number.
3. Then the seed is revealed. Anyone can check that SHA-256(seed) is the commitment.
4. Optionally a **public value** announced after the close (e.g. a lottery draw) is mixed in; it
   is the empty string when none was used.
5. The winner of draw ``d`` (``d`` = 0 for the winner, 1 for the first replacement if the winner
   cannot be reached, …) is the entry at position ``i`` (0-based, in entry-number order), where
   ``i`` comes from the first ``k`` = 0, 1, 2, … for which
   ``x = int(SHA-256("seed|digest|public|d|k"), big-endian)`` is below ``2^256 − (2^256 mod n)``
   (n = number of entries): ``i = x mod n``. Rejecting the top values removes the modulo bias.
   A position that already won an earlier draw of the round is skipped by moving on to ``d + 1``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence

SPACE = 1 << 256


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def entries_text(entries: Iterable[Sequence[object]]) -> str:
    """The frozen list: (number, receipt, masked phone) in ascending number, one line each."""
    return "".join(f"{n}|{r}|{p}\n" for n, r, p in sorted(entries, key=lambda e: int(e[0])))  # type: ignore[call-overload]


def digest(entries: Iterable[Sequence[object]]) -> str:
    return hashlib.sha256(entries_text(entries).encode("utf-8")).hexdigest()


def position(seed: str, list_digest: str, public: str, n: int, draw: int) -> int:
    """The 0-based position that draw ``draw`` picks among ``n`` entries (no modulo bias)."""
    if n <= 0:
        raise ValueError("no entries to draw from")
    limit = SPACE - (SPACE % n)
    k = 0
    while True:
        h = hashlib.sha256(f"{seed}|{list_digest}|{public}|{draw}|{k}".encode()).digest()
        x = int.from_bytes(h, "big")
        if x < limit:
            return x % n
        k += 1


def winners(seed: str, list_digest: str, public: str, n: int, count: int) -> list[int]:
    """The positions of the first ``count`` distinct winners (draws whose position already won
    are passed over)."""
    found: list[int] = []
    draw = 0
    while len(found) < min(count, n):
        i = position(seed, list_digest, public, n, draw)
        if i not in found:
            found.append(i)
        draw += 1
    return found


def verify(data: dict) -> list[str]:
    """Problems with a published round (empty: the draw checks out)."""
    problems = []
    seed, public = data["seed"], data.get("public", "")
    if commitment(seed) != data["commitment"]:
        problems.append("the seed does not match the commitment published before the round")
    entries = [(e["number"], e["receipt"], e["phone"]) for e in data["entries"]]
    if digest(entries) != data["digest"]:
        problems.append("the entry list does not match the digest published at the close")
    ordered = sorted(entries, key=lambda e: int(e[0]))
    published = [int(w) for w in data["winners"]]  # entry numbers, winner first
    derived = [int(ordered[i][0]) for i in winners(seed, data["digest"], public, len(ordered), len(published))]
    if derived != published:
        problems.append(f"the rule gives winners {derived}, the page shows {published}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: drawrule.py round.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    problems = verify(data)
    for p in problems:
        print(f"FAIL: {p}")
    if not problems:
        print(f"OK: round {data.get('round', '?')} — commitment, entry list and {len(data['winners'])} winner(s) "
              f"check out")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
