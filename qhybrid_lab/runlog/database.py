"""A TinyDB ``Table`` for :class:`JsonLinesStorage`: string document ids, and writes appended as operations."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from .storage import JsonLinesStorage

_DELETED = object()


class _ChangeTracker(MutableMapping[str, Any]):
    """What TinyDB's updaters mutate instead of the live table: records every put and delete.

    Documents are deep-copied when first touched, so the live state changes only when the operations are
    appended (and a failing updater changes nothing).
    """

    def __init__(self, live: dict[str, dict[str, Any]]) -> None:
        self._live = live
        self._touched: dict[str, Any] = {}

    def __getitem__(self, key: Any) -> dict[str, Any]:
        key = str(key)
        doc = self._touched.get(key)
        if doc is _DELETED:
            raise KeyError(key)
        if doc is None:
            doc = copy.deepcopy(self._live[key])
            self._touched[key] = doc
        return doc

    def __setitem__(self, key: Any, value: Mapping[str, Any]) -> None:
        self._touched[str(key)] = dict(value)

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        self._touched[str(key)] = _DELETED

    def __contains__(self, key: object) -> bool:
        doc = self._touched.get(str(key))
        return doc is not _DELETED and (doc is not None or str(key) in self._live)

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in self._live if self._touched.get(k) is not _DELETED)
        yield from (k for k, d in list(self._touched.items()) if k not in self._live and d is not _DELETED)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        for key in list(self):
            self._touched[key] = _DELETED

    def operations(self, table: str) -> list[dict[str, Any]]:
        ops = []
        for key, doc in self._touched.items():
            if doc is _DELETED:
                if key in self._live:
                    ops.append({"t": table, "op": "delete", "id": key})
            elif doc != self._live.get(key):
                ops.append({"t": table, "op": "put", "id": key, "doc": doc})
        return ops


class LogTable(Table):
    """A TinyDB table whose writes become appended operations; document ids are strings (job ids, keys).

    The whole TinyDB table API works (``insert``, ``search``, ``update``, ``remove``, ``upsert``...);
    ``put``/``merge``/``delete`` are the direct single-document operations the run log itself uses.
    """

    document_id_class = str  # type: ignore[assignment]  # ids are job ids and keys, not TinyDB's ints
    _storage: JsonLinesStorage

    def __init__(self, storage: JsonLinesStorage, name: str, cache_size: int = 10, persist_empty: bool = False):
        super().__init__(storage, name, cache_size=cache_size, persist_empty=False)
        self._seen_version = -1

    # direct operations (call inside ``storage.locked(True)`` to combine them with reads atomically)
    def put(self, doc_id: str, doc: dict[str, Any]) -> None:
        """Insert or replace one document."""
        self._write([{"t": self.name, "op": "put", "id": doc_id, "doc": doc}])

    def merge(self, doc_id: str, fields: dict[str, Any]) -> None:
        """Replace some top-level keys of one existing document."""
        self._write([{"t": self.name, "op": "merge", "id": doc_id, "fields": fields}])

    def delete(self, doc_id: str) -> bool:
        """Remove one document; False if there was none."""
        with self._storage.locked(exclusive=True):
            if doc_id not in self._storage.table(self.name):
                return False
            self._write([{"t": self.name, "op": "delete", "id": doc_id}])
            return True

    def _write(self, ops: list[dict[str, Any]]) -> None:
        with self._storage.locked(exclusive=True):
            self._storage.append(ops)
        self.clear_cache()

    # TinyDB extension points
    def _read_table(self) -> dict[str, Mapping[str, Any]]:
        with self._storage.locked():
            return self._storage.table(self.name)  # type: ignore[return-value]  # a read-only view: TinyDB only reads it

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:  # TinyDB passes its table
        with self._storage.locked(exclusive=True):
            tracker = _ChangeTracker(self._storage.table(self.name))  # type: ignore[arg-type]  # a DocView, read as a dict
            updater(tracker)  # type: ignore[arg-type]
            self._storage.append(tracker.operations(self.name))
        self.clear_cache()

    def update(  # type: ignore[override]  # TinyDB's update, with our str ids
        self,
        fields: Mapping[str, Any] | Callable[[Mapping[str, Any]], None],
        cond: Any = None,
        doc_ids: Iterable[Any] | None = None,
    ) -> list[Any]:
        """TinyDB's update; a mapping of fields on given ids is appended as one merge per document."""
        if isinstance(fields, Mapping) and cond is None and doc_ids is not None:
            with self._storage.locked(exclusive=True):
                live = self._storage.table(self.name)
                ids = [str(i) for i in doc_ids if str(i) in live]
                self._storage.append([{"t": self.name, "op": "merge", "id": i, "fields": dict(fields)} for i in ids])
            self.clear_cache()
            return ids
        return super().update(fields, cond=cond, doc_ids=doc_ids)

    def search(self, cond: Any) -> list[Any]:
        """TinyDB's search; its query cache is dropped whenever any process changed the store."""
        with self._storage.locked():
            if self._seen_version != self._storage.version:
                self.clear_cache()
                self._seen_version = self._storage.version
            return super().search(cond)

    def _get_next_id(self) -> str:
        return uuid.uuid4().hex


class LogDB(TinyDB):
    """TinyDB on the append-only JSON-lines storage, with :class:`LogTable` tables."""

    table_class = LogTable  # type: ignore[assignment]  # a Table subclass: TinyDB's stubs say exactly Table
    default_storage_class = JsonLinesStorage  # type: ignore[assignment]  # a Storage, not TinyDB's JSONStorage
    default_table_name = "runs"
