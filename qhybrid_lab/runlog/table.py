"""The jobs table: one page of jobs in group order, every active job pinned, counts and group rows (a RunLog mixin).

Order: newest group first (by its first record's ``created``, ties by group id), and within a group the records
in submission order (``created``, then id). The order of two records never changes between calls; new groups
come first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..status import ACTIVE_STATES, FINAL_STATES, JobStatus

if TYPE_CHECKING:
    from .index import RunIndex
    from .storage import JsonLinesStorage

ACTIVE = frozenset(s.value for s in ACTIVE_STATES)
FINAL = frozenset(s.value for s in FINAL_STATES)


class JobsTable:
    """:meth:`table` of :class:`~qhybrid_lab.runlog.RunLog`."""

    _storage: JsonLinesStorage
    _index: RunIndex

    if TYPE_CHECKING:

        def _filters(self, *args: Any, **filters: Any) -> dict[str, tuple[str, ...]]: ...

        def _with_live_owners(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def table(
        self,
        *,
        status: str | Iterable[str] | None = None,
        backend: str | Iterable[str] | None = None,
        kind: str | Iterable[str] | None = None,
        notebook: str | None = None,
        tag: str | None = None,
        experiment: str | None = None,
        search: str | None = None,
        finished_after: float | None = None,
        limit: int = 50,
        offset: int = 0,
        active_limit: int = 500,
    ) -> dict[str, Any]:
        """The jobs table the sidebar's Queue shows: a page in group order, active jobs pinned, counts, groups.

        Args:
            status, backend, kind, notebook, tag, experiment: filters, as for :meth:`query` (``kind`` is the
                backend's kind). ``status`` selects the page only: active jobs are pinned and counted whatever it says.
            search: a circuit name or tag containing it (case-insensitive), or an id starting with it.
            finished_after: hide finished jobs whose last change is older than this (epoch seconds): "clear
                finished from view" without deleting anything. Active jobs are never hidden.
            limit, offset: the page, in table order.
            active_limit: at most this many pinned active jobs (``counts["active"]`` has them all).

        Returns:
            ``{"page", "active", "groups", "counts", "overall", "total", "limit", "offset", "next_offset"}``:
            ``page`` and ``active`` are records; ``groups`` one row per group on the page or among the active
            jobs, in table order (:meth:`RunIndex.group_summary` plus ``offset``, where its first matching job is
            in the whole table, and ``matching``, how many of its jobs match; both None for a group that is not
            on the page); ``counts`` ``{"total", "active", "by_status"}`` of the jobs the filters select whatever
            their status; ``overall`` ``{"total", "active"}`` of the whole run log; ``total`` the jobs the table
            pages through (``status`` applied).
        """
        filters = self._filters(backend=backend, kind=kind, notebook=notebook, tag=tag, experiment=experiment)
        statuses = self._filters(status).get("status")
        for _ in range(2):  # a pinned job whose owner stopped is settled; then the view is read again
            view = self._table_view(filters, statuses, search, finished_after, limit, offset, active_limit)
            active = self._with_live_owners(view["active"])
            page = self._with_live_owners(view["page"])
            unchanged = all(a["status"] == b["status"] for a, b in zip(active + page, view["active"] + view["page"]))
            if unchanged:
                break
        view["active"], view["page"] = active, page
        return view

    def _table_view(
        self,
        filters: dict[str, tuple[str, ...]],
        statuses: tuple[str, ...] | None,
        search: str | None,
        finished_after: float | None,
        limit: int,
        offset: int,
        active_limit: int,
    ) -> dict[str, Any]:
        index = self._index
        with self._storage.locked():
            selected = self._selected(filters, search, finished_after)
            counts = _counts(index, selected)
            shown = selected
            if statuses:
                chosen = index.ids("status", statuses)
                shown = chosen if selected is None else selected & chosen
            total = len(index) if shown is None else len(shown)
            page_ids, places = index.groups.page(shown, offset, limit)
            pinned = index.ids("status", ACTIVE)
            if selected is not None:
                pinned = pinned & selected
            active_ids = index.groups.ordered(pinned)[:active_limit]
            groups: dict[str, dict[str, Any]] = {}
            for doc_id in page_ids + active_ids:
                group = index.groups.group_of(doc_id)
                if group not in groups:
                    row = index.group_summary(group, ACTIVE, FINAL)
                    row["offset"], row["matching"] = places.get(group, (None, None))
                    groups[group] = row
            end = offset + len(page_ids)
            return {
                "page": [self._storage.doc("runs", i) for i in page_ids],
                "active": [self._storage.doc("runs", i) for i in active_ids],
                "groups": sorted(groups.values(), key=lambda g: (g["submitted"], g["group"]), reverse=True),
                "counts": counts,
                "overall": {"total": len(index), "active": len(index.ids("status", ACTIVE))},
                "total": total,
                "limit": limit,
                "offset": offset,
                "next_offset": end if end < total and page_ids else None,
            }

    def _selected(
        self, filters: dict[str, tuple[str, ...]], search: str | None, finished_after: float | None
    ) -> set[str] | None:
        """Ids the filters, the search and ``finished_after`` select (None: all), whatever their status."""
        index = self._index
        selected = index.matching(filters)
        if search:
            found = index.search(search)
            selected = found if selected is None else found & selected
        if finished_after is not None:
            shown = index.changed_since(finished_after) | index.ids("status", ACTIVE)
            selected = shown if selected is None else shown & selected
        return selected

    def resolve_group(self, group: str) -> str:
        """The group id ``group`` names: the exact id, or a unique prefix of at least 4 characters.

        Raises:
            UnknownJob: no such group (or a prefix shorter than 4 characters).
            AmbiguousJobId: the prefix matches several groups.
        """
        from ..errors import AmbiguousJobId, UnknownJob

        if not isinstance(group, str) or not group:
            raise UnknownJob(f"group id must be a non-empty string, not {group!r}")
        with self._storage.locked():
            groups = self._index.groups
            found = groups.with_prefix(group) if len(group) >= 4 else ([group] if groups.members(group) else [])
        if not found:
            raise UnknownJob(f"no group {group[:80]!r} in the run log (a group id prefix needs at least 4 characters)")
        if len(found) > 1:
            raise AmbiguousJobId(
                f"group id prefix {group!r} matches several groups ({', '.join(found)}); type more characters"
            )
        return found[0]

    def group_jobs(self, group: str) -> list[dict[str, Any]]:
        """The records of one group (exact id or unique prefix) in submission order, stopped owners settled."""
        group = self.resolve_group(group)
        with self._storage.locked():
            records = [self._storage.doc("runs", key[1]) for key in self._index.groups.members(group)]
        return self._with_live_owners(records)


def _counts(index: RunIndex, selected: set[str] | None) -> dict[str, Any]:
    """``{"total", "active", "by_status"}`` of ``selected`` (None: every record), every status present."""
    by_status = {}
    for status in JobStatus:
        ids = index.ids("status", [status.value])
        by_status[status.value] = len(ids) if selected is None else len(ids & selected)
    total = len(index) if selected is None else len(selected)
    return {"total": total, "active": sum(by_status[s] for s in ACTIVE), "by_status": by_status}
