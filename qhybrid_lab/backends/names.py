"""Did-you-mean for backend names: the registry and every adapter suggest names the same way."""

from __future__ import annotations

import difflib


def closest_names(name: str, known: list[str], *, limit: int = 3) -> list[str]:
    """The known names most like ``name``: the best match and any nearly as good (ratio within 0.05)."""
    scored = sorted(
        ((difflib.SequenceMatcher(None, name, candidate).ratio(), candidate) for candidate in set(known)),
        reverse=True,
    )
    if not scored or scored[0][0] < 0.6:
        return []
    best = scored[0][0]
    return [candidate for ratio, candidate in scored[:limit] if ratio >= max(0.6, best - 0.05)]
