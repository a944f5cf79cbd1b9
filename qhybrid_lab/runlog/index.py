"""In-memory indexes of the runs table: newest-first order, ids by prefix, ids by each filter field, and groups."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from operator import itemgetter
from typing import Any

from .groups import SORT_RATHER_THAN_SCAN, GroupOrder, Key

FIELDS = ("status", "backend", "notebook", "owner", "tag", "circuit_hash", "group", "kind", "experiment", "name")
"""The fields ``query()`` filters on (and ``since`` on ``created``). ``kind`` is the backend's kind, ``name`` the
circuit's name, ``experiment`` the record's experiment."""

STATUS, TAG, GROUP, NAME = (FIELDS.index(f) for f in ("status", "tag", "group", "name"))
SUMMARY_NAMES = ("backends", "kinds", "names", "experiments", "tags", "notebooks")
SUMMARY_FIELDS = tuple(FIELDS.index(f) for f in ("backend", "kind", "name", "experiment", "tag", "notebook"))
"""A group row lists the distinct values of these fields among its records, in submission order."""

_NOTHING: dict[str, Any] = {}


def _one(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else ()


def index_values(doc: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """The values of one record under each of FIELDS (backend may be stored as a dict or a bare name)."""
    backend, origin, circuit, tags = doc.get("backend"), doc.get("origin"), doc.get("circuit"), doc.get("tags")
    origin = origin if isinstance(origin, dict) else _NOTHING
    circuit = circuit if isinstance(circuit, dict) else _NOTHING
    backend_info = backend if isinstance(backend, dict) else _NOTHING
    return (_one(doc.get("status")), _one(backend_info.get("name") if backend_info else backend),
            _one(origin.get("notebook")), _one(origin.get("owner")),
            tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) and tags else (),
            _one(circuit.get("hash")), _one(doc.get("group")), _one(backend_info.get("kind")),
            _one(doc.get("experiment")), _one(circuit.get("name")))


def order_key(doc_id: str, doc: dict[str, Any]) -> Key:
    """Sort key: creation time, then id (so ties between processes still have one order)."""
    created = doc.get("created")
    return (float(created) if isinstance(created, (int, float)) else 0.0, doc_id)


def group_of(doc_id: str, values: tuple[tuple[str, ...], ...]) -> str:
    """The group a record belongs to: its ``group``, or its own id when it has none (a group of one)."""
    return values[GROUP][0] if values[GROUP] and values[GROUP][0] else doc_id


class RunIndex:
    """Kept up to date by :class:`JsonLinesStorage` for every change of the runs table, from any process.

    Besides the newest-first order and one map per filter field, it keeps the jobs table's order
    (:class:`~qhybrid_lab.runlog.groups.GroupOrder`) and the records by last change, so the jobs table
    (:mod:`qhybrid_lab.runlog.table`) pages through 100k records without sorting them.
    """

    def __init__(self) -> None:
        self._meta: dict[str, tuple[Key, tuple[tuple[str, ...], ...]]] = {}
        self._by: list[dict[str, set[str]]] = [{} for _ in FIELDS]
        self._order: list[Key] = []
        self._ids: list[str] = []
        self._updated: dict[str, float] = {}
        self._by_updated: list[tuple[float, str]] = []
        """(updated, id) of every record, oldest change first."""
        self.groups = GroupOrder()
        self._bulk = False

    def reload_started(self) -> None:
        """Forget everything; until :meth:`reload_finished`, changes skip the sorted lists."""
        self.__init__()  # type: ignore[misc]  # every field back to empty (no subclass redefines it)
        self._bulk = True

    def reload_finished(self) -> None:
        """Sort once what the reload brought."""
        self._order = sorted(key for key, _ in self._meta.values())
        self._ids = sorted(self._meta)
        self.groups.rebuild((group_of(key[1], self._meta[key[1]][1]), key) for key in self._order)
        self._by_updated = sorted((updated, doc_id) for doc_id, updated in self._updated.items())
        self._bulk = False

    def _add(self, doc_id: str, key: Key, values: tuple[tuple[str, ...], ...]) -> None:
        self._meta[doc_id] = (key, values)
        for ix, vals in zip(self._by, values):
            for v in vals:
                ix.setdefault(v, set()).add(doc_id)

    def _remove(self, doc_id: str) -> tuple[Key, tuple[tuple[str, ...], ...]]:
        key, values = self._meta.pop(doc_id)
        for ix, vals in zip(self._by, values):
            for v in vals:
                ids = ix[v]
                ids.discard(doc_id)
                if not ids:
                    del ix[v]
        return key, values

    def changed(self, doc_id: str, new: dict[str, Any] | None) -> None:
        """One document was put, merged (``new`` is the whole new document) or deleted (``new`` is None)."""
        self._set_updated(doc_id, new)
        old = self._meta.get(doc_id)
        now = (order_key(doc_id, new), index_values(new)) if new is not None else None
        if old == now:
            return
        if old is not None:
            self._remove(doc_id)
        if now is not None:
            self._add(doc_id, *now)
        if self._bulk:
            return
        before = (old[0], group_of(doc_id, old[1])) if old is not None else None
        after = (now[0], group_of(doc_id, now[1])) if now is not None else None
        if before == after:  # a status or other field changed: the record keeps its place
            return
        if before is not None:
            del self._order[bisect.bisect_left(self._order, before[0])]
            self.groups.leave(before[1], before[0])
            if after is None:
                del self._ids[bisect.bisect_left(self._ids, doc_id)]
        elif after is not None:
            bisect.insort(self._ids, doc_id)
        if after is not None:
            bisect.insort(self._order, after[0])
            self.groups.join(after[1], after[0])

    def _set_updated(self, doc_id: str, new: dict[str, Any] | None) -> None:
        before = self._updated.pop(doc_id, None)
        after = None
        if new is not None:
            updated = new.get("updated")
            after = self._updated[doc_id] = float(updated) if isinstance(updated, (int, float)) else 0.0
        if self._bulk or before == after:
            return
        if before is not None:
            del self._by_updated[bisect.bisect_left(self._by_updated, (before, doc_id))]
        if after is not None:
            bisect.insort(self._by_updated, (after, doc_id))

    def __len__(self) -> int:
        return len(self._meta)

    def with_prefix(self, prefix: str, at_most: int | None = 2) -> list[str]:
        """Ids that start with ``prefix`` (at most ``at_most`` of them; None: all)."""
        i = bisect.bisect_left(self._ids, prefix)
        found: list[str] = []
        while i < len(self._ids) and self._ids[i].startswith(prefix) and (at_most is None or len(found) < at_most):
            found.append(self._ids[i])
            i += 1
        return found

    def ids(self, field: str, values: Iterable[str]) -> set[str]:
        """Ids whose ``field`` has any of ``values`` (a new set, or the index's own for one value: do not change it)."""
        ix = self._by[FIELDS.index(field)]
        groups = [ix.get(v, set()) for v in values]
        return groups[0] if len(groups) == 1 else set().union(*groups)

    def matching(self, filters: Mapping[str, Iterable[str]]) -> set[str] | None:
        """Ids matching every filter (None when there is no filter: every id). Do not change the set returned."""
        if not filters:
            return None
        sets = sorted((self.ids(field, values) for field, values in filters.items()), key=len)
        return sets[0] if len(sets) == 1 else set(sets[0]).intersection(*sets[1:])

    def search(self, text: str) -> set[str]:
        """Ids whose circuit name or a tag contains ``text`` (case-insensitive), or whose id starts with it."""
        needle = text.casefold()
        found: set[str] = set(self.with_prefix(needle, at_most=None))
        for field in (NAME, TAG):
            for value, ids in self._by[field].items():
                if needle in value.casefold():
                    found.update(ids)
        return found

    def status_of(self, doc_id: str) -> str | None:
        """The indexed status of one record."""
        values = self._meta[doc_id][1][STATUS]
        return values[0] if values else None

    def updated_of(self, doc_id: str) -> float:
        """When one record last changed (its ``updated``, 0 when it has none)."""
        return self._updated.get(doc_id, 0.0)

    def changed_since(self, since: float) -> set[str]:
        """Ids of the records whose ``updated`` is ``since`` or later."""
        start = bisect.bisect_left(self._by_updated, (since, ""))
        return set(map(itemgetter(1), islice(self._by_updated, start, None)))

    def select(self, filters: Mapping[str, Iterable[str]], since: float | None = None, *,
               search: str | None = None) -> Iterator[str]:
        """Ids of matching records, newest first. ``filters`` maps a FIELDS name to accepted values.

        ``search``: only records that :meth:`search` finds for that text.
        """
        start = bisect.bisect_left(self._order, (since, "")) if since is not None else 0
        matching = self.matching(filters)
        if search:
            found = self.search(search)
            matching = found if matching is None else found & matching
        yield from self.newest_first(matching, start, since)

    def newest_first(self, matching: set[str] | None, start: int = 0, since: float | None = None) -> Iterator[str]:
        """``matching`` (None: every id) newest first, from position ``start`` of the creation order on."""
        if matching is None:
            for i in range(len(self._order) - 1, start - 1, -1):
                yield self._order[i][1]
            return
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

    # -- groups ----------------------------------------------------------------------------------------------

    def group_summary(self, group: str, active: frozenset[str], final: frozenset[str]) -> dict[str, Any]:
        """One group row: when it was submitted, how many of its jobs are in each status, what it ran on.

        ``active`` and ``final`` are the status values counted as active and finished.
        """
        keys = self.groups.members(group)
        by_status: dict[str, int] = {}
        seen: list[dict[str, None]] = [{} for _ in SUMMARY_FIELDS]
        updated, meta, changed = 0.0, self._meta, self._updated
        for key in keys:
            values = meta[key[1]][1]
            status = values[STATUS][0] if values[STATUS] else "unknown"
            by_status[status] = by_status.get(status, 0) + 1
            updated = max(updated, changed.get(key[1], 0.0))
            for found, field in zip(seen, SUMMARY_FIELDS):
                for value in values[field]:
                    found[value] = None
        row: dict[str, Any] = {"group": group, "submitted": keys[0][0] if keys else None, "updated": updated, "total": len(keys),
               "by_status": by_status, "done": by_status.get("done", 0),
               "active": sum(n for s, n in by_status.items() if s in active),
               "finished": sum(n for s, n in by_status.items() if s in final)}
        for name, found in zip(SUMMARY_NAMES, seen):
            row[name] = list(found)
        row["names"] = row["names"][:20]
        return row
