"""In-memory indexes of the runs table: newest-first order, ids by prefix, ids by each filter field, and groups."""

from __future__ import annotations

import bisect
import marshal
from collections.abc import Callable, Iterable, Iterator, Mapping
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
_LAZY = ("_meta", "_updated", "_by", "_order", "_ids", "_by_updated", "groups")
"""What a packed snapshot restores lazily (see :meth:`RunIndex.restore`)."""


def _one(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else ()


def index_values(doc: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """The values of one record under each of FIELDS (backend may be stored as a dict or a bare name)."""
    backend, origin, circuit, tags = doc.get("backend"), doc.get("origin"), doc.get("circuit"), doc.get("tags")
    origin = origin if isinstance(origin, dict) else _NOTHING
    circuit = circuit if isinstance(circuit, dict) else _NOTHING
    backend_info = backend if isinstance(backend, dict) else _NOTHING
    return (
        _one(doc.get("status")),
        _one(backend_info.get("name") if backend_info else backend),
        _one(origin.get("notebook")),
        _one(origin.get("owner")),
        tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) and tags else (),
        _one(circuit.get("hash")),
        _one(doc.get("group")),
        _one(backend_info.get("kind")),
        _one(doc.get("experiment")),
        _one(circuit.get("name")),
    )


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
        self._packed: tuple[int, dict[str, bytes], list[bytes]] | None = None
        """(count, blobs, per-field blobs) of a packed snapshot whose structures are not all loaded yet."""
        self._fields: dict[int, dict[str, set[str]]] = {}

    def __getattr__(self, name: str) -> Any:  # only called for an attribute not loaded yet (see restore)
        packed = self.__dict__.get("_packed")
        if packed is None or name not in _LAZY:
            raise AttributeError(name)
        if name == "_by":
            value: object = [self._field(i) for i in range(len(FIELDS))]
        elif name == "groups":
            value = GroupOrder()
            value._members, value._groups, value._place, value._key = marshal.loads(packed[1]["groups"])
        else:
            value = marshal.loads(packed[1][name])
        self.__dict__[name] = value
        if all(n in self.__dict__ for n in _LAZY):
            self._packed, self._fields = None, {}
        return value

    def _key_of(self) -> Callable[[str], Key]:
        """id → (created, id); from a packed snapshot's own small map while the index is not changed (any change
        loads ``_meta``, which is then the only source)."""
        if "_meta" in self.__dict__ or self._packed is None:
            meta = self._meta
            return lambda doc_id: meta[doc_id][0]
        keys = self._fields.get(-1)
        if keys is None:
            keys = self._fields[-1] = marshal.loads(self._packed[1]["_keys"])
        return keys.__getitem__  # type: ignore[return-value]

    def _field(self, i: int) -> dict[str, set[str]]:
        """The index of one filter field (loaded alone from a packed snapshot when the others are not needed)."""
        by: list[dict[str, set[str]]] | None = self.__dict__.get("_by")
        if by is not None:
            return by[i]
        found = self._fields.get(i)
        if found is None:
            if self._packed is None:  # _by is only ever missing while a packed snapshot is not all loaded
                raise RuntimeError("run index: a field index is missing and no packed snapshot is left to load it")
            found = self._fields[i] = {v: set(ids) for v, ids in marshal.loads(self._packed[2][i]).items()}
        return found

    def reload_started(self) -> None:
        """Forget everything; until :meth:`reload_finished`, changes skip the sorted lists."""
        RunIndex.__init__(self)
        self._bulk = True

    def reload_finished(self) -> None:
        """Sort once what the reload brought."""
        self._order = sorted(key for key, _ in self._meta.values())
        self._ids = sorted(self._meta)
        self.groups.rebuild((group_of(key[1], self._meta[key[1]][1]), key) for key in self._order)
        self._by_updated = sorted((updated, doc_id) for doc_id, updated in self._updated.items())
        self._bulk = False

    EXPORT_FORM = "qhybrid-runindex/1"
    PACKED_FORM = "qhybrid-runindex-packed/1"
    """Name the shapes of :meth:`export` and :meth:`pack`; a snapshot of another shape is not restored."""

    def export(self) -> tuple[Any, ...]:
        """A cheap consistent copy (taken while writers wait) that :meth:`pack` turns into what a snapshot keeps."""
        return (self.EXPORT_FORM, dict(self._meta), dict(self._updated))

    def pack(self, export: tuple[Any, ...]) -> tuple[Any, ...]:
        """Every structure of the index built from an :meth:`export` (off the lock), each marshalled apart so that
        :meth:`restore` loads one only when it is first used (equal values share one object)."""
        built = RunIndex()
        _, meta, updated = export
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        meta = {doc_id: (key, tuple(shared.setdefault(v, v) for v in values)) for doc_id, (key, values) in meta.items()}
        built.restore((self.EXPORT_FORM, meta, dict(updated)))
        groups = built.groups
        blobs = {name: marshal.dumps(getattr(built, name)) for name in _LAZY if name not in ("_by", "groups")}
        blobs["groups"] = marshal.dumps((groups._members, groups._groups, groups._place, groups._key))
        blobs["_keys"] = marshal.dumps({doc_id: key for doc_id, (key, _) in built._meta.items()})
        return (
            self.PACKED_FORM,
            len(built),
            blobs,
            [marshal.dumps({v: list(ids) for v, ids in ix.items()}) for ix in built._by],
        )

    def restore(self, state: object) -> bool:
        """Rebuild from an :meth:`export` or a :meth:`pack` (read back from a snapshot) without decoding any
        document; a packed one lazily, each structure when first used. Returns False (and leaves the index
        empty) when ``state`` has neither shape."""
        if (
            isinstance(state, tuple)
            and len(state) == 4
            and state[0] == self.PACKED_FORM
            and isinstance(state[2], dict)
            and set(state[2]) == {*_LAZY, "_keys"} - {"_by"}
            and isinstance(state[3], list)
            and len(state[3]) == len(FIELDS)
        ):
            self.reload_started()
            self._bulk = False
            for name in _LAZY:
                del self.__dict__[name]
            self._packed = (state[1], state[2], state[3])
            return True
        if not (
            isinstance(state, tuple)
            and len(state) == 3
            and state[0] == self.EXPORT_FORM
            and isinstance(state[1], dict)
            and isinstance(state[2], dict)
        ):
            return False
        self.reload_started()
        meta, updated = state[1], state[2]
        self._meta, self._updated = meta, updated
        by = self._by
        for doc_id, (_, values) in meta.items():
            for ix, vals in zip(by, values):
                for v in vals:
                    ids = ix.get(v)
                    if ids is None:
                        ix[v] = {doc_id}
                    else:
                        ids.add(doc_id)
        self.reload_finished()
        return True

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
        if "_meta" not in self.__dict__ and self._packed is not None:
            return self._packed[0]
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
        ix = self._field(FIELDS.index(field))
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
            for value, ids in self._field(field).items():
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

    def select(
        self, filters: Mapping[str, Iterable[str]], since: float | None = None, *, search: str | None = None
    ) -> Iterator[str]:
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
        if len(matching) * SORT_RATHER_THAN_SCAN < len(self) - start:
            keys = sorted(map(self._key_of(), matching), reverse=True)
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
        row: dict[str, Any]
        row = {
            "group": group,
            "submitted": keys[0][0] if keys else None,
            "updated": updated,
            "total": len(keys),
            "by_status": by_status,
            "done": by_status.get("done", 0),
            "active": sum(n for s, n in by_status.items() if s in active),
            "finished": sum(n for s, n in by_status.items() if s in final),
        }
        for name, found in zip(SUMMARY_NAMES, seen):
            row[name] = list(found)
        row["names"] = row["names"][:20]
        return row
