"""In-memory indexes of the runs table: newest-first order, ids by prefix, ids by each filter field, and groups."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

FIELDS = ("status", "backend", "notebook", "owner", "tag", "circuit_hash", "group", "kind", "experiment", "name")
"""The fields ``query()`` filters on (and ``since`` on ``created``). ``kind`` is the backend's kind, ``name`` the
circuit's name, ``experiment`` the record's experiment."""

STATUS, BACKEND, TAG, GROUP, KIND, EXPERIMENT, NAME = (FIELDS.index(f) for f in
                                                       ("status", "backend", "tag", "group", "kind", "experiment",
                                                        "name"))

SORT_RATHER_THAN_SCAN = 8
"""Sort the matching ids when they are fewer than 1/8 of the window to scan, else scan newest-first."""

Key = tuple[float, str]
"""(created, id): the order of records, oldest first."""

_NOTHING: dict = {}


def _one(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else ()


def index_values(doc: dict) -> tuple[tuple[str, ...], ...]:
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


def order_key(doc_id: str, doc: dict) -> Key:
    """Sort key: creation time, then id (so ties between processes still have one order)."""
    created = doc.get("created")
    return (float(created) if isinstance(created, (int, float)) else 0.0, doc_id)


def group_of(doc_id: str, values: tuple[tuple[str, ...], ...]) -> str:
    """The group a record belongs to: its ``group``, or its own id when it has none (a group of one)."""
    return values[GROUP][0] if values[GROUP] and values[GROUP][0] else doc_id


class RunIndex:
    """Kept up to date by :class:`JsonLinesStorage` for every change of the runs table, from any process.

    Besides the newest-first order and one map per filter field, it keeps every group's members in submission
    order (``created``, then id) and the groups ordered by their first submission, so the jobs table
    (:mod:`qhybrid_lab.runlog.table`) pages through 100k records without sorting them.
    """

    def __init__(self) -> None:
        self._meta: dict[str, tuple[Key, tuple[tuple[str, ...], ...]]] = {}
        self._by: list[dict[str, set[str]]] = [{} for _ in FIELDS]
        self._order: list[Key] = []
        self._ids: list[str] = []
        self._updated: dict[str, float] = {}
        self._members: dict[str, list[Key]] = {}
        """group → its records' keys, oldest first."""
        self._groups: list[Key] = []
        """(first created, group) of every group, oldest first."""
        self._bulk = False

    def reload_started(self) -> None:
        """Forget everything; until :meth:`reload_finished`, changes skip the sorted lists."""
        self.__init__()
        self._bulk = True

    def reload_finished(self) -> None:
        """Sort once what the reload brought."""
        self._order = sorted(key for key, _ in self._meta.values())
        self._ids = sorted(self._meta)
        self._members = {}
        for key in self._order:
            self._members.setdefault(group_of(key[1], self._meta[key[1]][1]), []).append(key)
        self._groups = sorted((keys[0][0], group) for group, keys in self._members.items())
        self._bulk = False

    def _add(self, doc_id: str, doc: dict) -> Key:
        key, values = order_key(doc_id, doc), index_values(doc)
        self._meta[doc_id] = (key, values)
        for ix, vals in zip(self._by, values):
            for v in vals:
                ix.setdefault(v, set()).add(doc_id)
        return key

    def _remove(self, doc_id: str) -> Key:
        key, values = self._meta.pop(doc_id)
        for ix, vals in zip(self._by, values):
            for v in vals:
                ids = ix[v]
                ids.discard(doc_id)
                if not ids:
                    del ix[v]
        return key

    def _join_group(self, group: str, key: Key) -> None:
        members = self._members.setdefault(group, [])
        if members and key > members[0]:
            bisect.insort(members, key)
            return
        if members:
            del self._groups[bisect.bisect_left(self._groups, (members[0][0], group))]
        members.insert(0, key)
        bisect.insort(self._groups, (key[0], group))

    def _leave_group(self, group: str, key: Key) -> None:
        members = self._members[group]
        first = members[0]
        del members[bisect.bisect_left(members, key)]
        if members and members[0] == first:
            return
        del self._groups[bisect.bisect_left(self._groups, (first[0], group))]
        if members:
            bisect.insort(self._groups, (members[0][0], group))
        else:
            del self._members[group]

    def changed(self, doc_id: str, new: dict | None) -> None:
        """One document was put, merged (``new`` is the whole new document) or deleted (``new`` is None)."""
        known = doc_id in self._meta
        if new is not None:
            updated = new.get("updated")
            self._updated[doc_id] = float(updated) if isinstance(updated, (int, float)) else 0.0
        else:
            self._updated.pop(doc_id, None)
        if known and new is not None and self._meta[doc_id] == (order_key(doc_id, new), index_values(new)):
            return
        if self._bulk:
            if known:
                self._remove(doc_id)
            if new is not None:
                self._add(doc_id, new)
            return
        if known:
            group = group_of(doc_id, self._meta[doc_id][1])
            key = self._remove(doc_id)
            del self._order[bisect.bisect_left(self._order, key)]
            self._leave_group(group, key)
            if new is None:
                del self._ids[bisect.bisect_left(self._ids, doc_id)]
        elif new is not None:
            bisect.insort(self._ids, doc_id)
        if new is not None:
            key = self._add(doc_id, new)
            bisect.insort(self._order, key)
            self._join_group(group_of(doc_id, self._meta[doc_id][1]), key)

    def __len__(self) -> int:
        return len(self._meta)

    def with_prefix(self, prefix: str, at_most: int | None = 2) -> list[str]:
        """Ids that start with ``prefix`` (at most ``at_most`` of them; None: all)."""
        i = bisect.bisect_left(self._ids, prefix)
        found = []
        while i < len(self._ids) and self._ids[i].startswith(prefix) and (at_most is None or len(found) < at_most):
            found.append(self._ids[i])
            i += 1
        return found

    def ids(self, field: str, values: Iterable[str]) -> set[str]:
        """Ids whose ``field`` has any of ``values`` (a new set, or the index's own for one value: do not change it)."""
        ix = self._by[FIELDS.index(field)]
        groups = [ix.get(v, set()) for v in values]
        return groups[0] if len(groups) == 1 else set().union(*groups)

    def matching(self, filters: dict[str, Iterable[str]]) -> set[str] | None:
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

    def select(self, filters: dict[str, Iterable[str]], since: float | None = None, *,
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

    def grouped(self, matching: set[str] | None) -> Iterator[tuple[str, list[str]]]:
        """(group, ids of ``matching`` in it in submission order), newest group first; groups without a match skipped.

        Groups are ordered by their first record's (created, group id), newest first; ties between groups that
        started at the same time are broken by the group id, so the order is the same on every call.
        """
        if matching is not None and len(matching) * SORT_RATHER_THAN_SCAN < len(self._order):
            buckets: dict[str, list[Key]] = {}
            for doc_id in matching:
                key, values = self._meta[doc_id]
                buckets.setdefault(group_of(doc_id, values), []).append(key)
            for group in sorted(buckets, key=lambda g: (self._members[g][0][0], g), reverse=True):
                yield group, [key[1] for key in sorted(buckets[group])]
            return
        for i in range(len(self._groups) - 1, -1, -1):
            group = self._groups[i][1]
            members = self._members[group]
            ids = [key[1] for key in members] if matching is None else [k[1] for k in members if k[1] in matching]
            if ids:
                yield group, ids

    def group_for(self, doc_id: str) -> str:
        """The group of one indexed record (its own id when it has none)."""
        return group_of(doc_id, self._meta[doc_id][1])

    def group_members(self, group: str) -> list[str]:
        """Ids of one group in submission order (empty for an unknown group)."""
        return [key[1] for key in self._members.get(group, ())]

    def groups_with_prefix(self, prefix: str, at_most: int = 5) -> list[str]:
        """Group ids that are ``prefix`` or start with it (the exact one alone when it exists)."""
        if prefix in self._members:
            return [prefix]
        return sorted(g for g in self._members if g.startswith(prefix))[:at_most]

    def group_values(self, group: str, field: int) -> list[str]:
        """The distinct values of one FIELDS position among a group's records, in submission order."""
        seen: dict[str, None] = {}
        for key in self._members.get(group, ()):
            for value in self._meta[key[1]][1][field]:
                seen.setdefault(value)
        return list(seen)

    def group_summary(self, group: str, active: frozenset[str], final: frozenset[str]) -> dict:
        """One group row: when it was submitted, how many of its jobs are in each status, what it ran on.

        ``active`` and ``final`` are the status values counted as active and finished.
        """
        keys = self._members.get(group, ())
        by_status: dict[str, int] = {}
        updated = 0.0
        for key in keys:
            status = self.status_of(key[1]) or "unknown"
            by_status[status] = by_status.get(status, 0) + 1
            updated = max(updated, self.updated_of(key[1]))
        return {
            "group": group, "submitted": keys[0][0] if keys else None, "updated": updated, "total": len(keys),
            "by_status": by_status, "done": by_status.get("done", 0),
            "active": sum(n for s, n in by_status.items() if s in active),
            "finished": sum(n for s, n in by_status.items() if s in final),
            "backends": self.group_values(group, BACKEND), "kinds": self.group_values(group, KIND),
            "names": self.group_values(group, NAME)[:20], "experiments": self.group_values(group, EXPERIMENT),
            "tags": self.group_values(group, TAG), "notebooks": self.group_values(group, FIELDS.index("notebook")),
        }

    def all_ids(self) -> Iterable[str]:
        """Every indexed id (a live view: do not change the index while iterating)."""
        return self._meta.keys()
