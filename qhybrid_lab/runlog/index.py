"""In-memory indexes of the runs table: newest-first order, ids by prefix, and ids by each filter field."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

FIELDS = ("status", "backend", "notebook", "owner", "tag", "circuit_hash", "group")
"""The fields ``query()`` filters on (and ``since`` on ``created``)."""

SORT_RATHER_THAN_SCAN = 8
"""Sort the matching ids when they are fewer than 1/8 of the window to scan, else scan newest-first."""


_NOTHING: dict = {}


def _one(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else ()


def index_values(doc: dict) -> tuple[tuple[str, ...], ...]:
    """The values of one record under each of FIELDS (backend may be stored as a dict or a bare name)."""
    backend, origin, circuit, tags = doc.get("backend"), doc.get("origin"), doc.get("circuit"), doc.get("tags")
    origin = origin if isinstance(origin, dict) else _NOTHING
    return (_one(doc.get("status")), _one(backend.get("name") if isinstance(backend, dict) else backend),
            _one(origin.get("notebook")), _one(origin.get("owner")),
            tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) and tags else (),
            _one(circuit.get("hash") if isinstance(circuit, dict) else None), _one(doc.get("group")))


def order_key(doc_id: str, doc: dict) -> tuple[float, str]:
    """Sort key: creation time, then id (so ties between processes still have one order)."""
    created = doc.get("created")
    return (float(created) if isinstance(created, (int, float)) else 0.0, doc_id)


class RunIndex:
    """Kept up to date by :class:`JsonLinesStorage` for every change of the runs table, from any process."""

    def __init__(self) -> None:
        self._meta: dict[str, tuple[tuple[float, str], tuple[tuple[str, ...], ...]]] = {}
        self._by: list[dict[str, set[str]]] = [{} for _ in FIELDS]
        self._order: list[tuple[float, str]] = []
        self._ids: list[str] = []
        self._bulk = False

    def reload_started(self) -> None:
        """Forget everything; until :meth:`reload_finished`, changes skip the sorted lists."""
        self.__init__()
        self._bulk = True

    def reload_finished(self) -> None:
        """Sort once what the reload brought."""
        self._order = sorted(key for key, _ in self._meta.values())
        self._ids = sorted(self._meta)
        self._bulk = False

    def _add(self, doc_id: str, doc: dict) -> tuple[float, str]:
        key, values = order_key(doc_id, doc), index_values(doc)
        self._meta[doc_id] = (key, values)
        for ix, vals in zip(self._by, values):
            for v in vals:
                ix.setdefault(v, set()).add(doc_id)
        return key

    def _remove(self, doc_id: str) -> tuple[float, str]:
        key, values = self._meta.pop(doc_id)
        for ix, vals in zip(self._by, values):
            for v in vals:
                ids = ix[v]
                ids.discard(doc_id)
                if not ids:
                    del ix[v]
        return key

    def changed(self, doc_id: str, new: dict | None) -> None:
        """One document was put, merged (``new`` is the whole new document) or deleted (``new`` is None)."""
        known = doc_id in self._meta
        if known and new is not None and self._meta[doc_id] == (order_key(doc_id, new), index_values(new)):
            return
        if self._bulk:
            if known:
                self._remove(doc_id)
            if new is not None:
                self._add(doc_id, new)
            return
        if known:
            key = self._remove(doc_id)
            del self._order[bisect.bisect_left(self._order, key)]
            if new is None:
                del self._ids[bisect.bisect_left(self._ids, doc_id)]
        elif new is not None:
            bisect.insort(self._ids, doc_id)
        if new is not None:
            bisect.insort(self._order, self._add(doc_id, new))

    def __len__(self) -> int:
        return len(self._meta)

    def with_prefix(self, prefix: str, at_most: int = 2) -> list[str]:
        """Ids that start with ``prefix`` (at most ``at_most`` of them)."""
        i = bisect.bisect_left(self._ids, prefix)
        found = []
        while i < len(self._ids) and self._ids[i].startswith(prefix) and len(found) < at_most:
            found.append(self._ids[i])
            i += 1
        return found

    def select(self, filters: dict[str, Iterable[str]], since: float | None = None) -> Iterator[str]:
        """Ids of matching records, newest first. ``filters`` maps a FIELDS name to accepted values."""
        start = bisect.bisect_left(self._order, (since, "")) if since is not None else 0
        if not filters:
            for i in range(len(self._order) - 1, start - 1, -1):
                yield self._order[i][1]
            return
        sets = []
        for field, values in filters.items():
            ix = self._by[FIELDS.index(field)]
            groups = [ix.get(v, ()) for v in values]
            sets.append(groups[0] if len(groups) == 1 else set().union(*groups))
        sets.sort(key=len)
        matching = sets[0] if len(sets) == 1 else set(sets[0]).intersection(*sets[1:])
        if len(matching) * SORT_RATHER_THAN_SCAN < len(self._order) - start:
            keys = sorted((self._meta[i][0] for i in matching), reverse=True)
            for key in keys:
                if since is not None and key[0] < since:
                    return
                yield key[1]
            return
        for i in range(len(self._order) - 1, start - 1, -1):
            doc_id = self._order[i][1]
            if doc_id in matching:
                yield doc_id
