"""The jobs table's order, kept in memory: every group's records in submission order, the groups newest first.

A group's place is ``(created of its first record, group id)``; the table lists groups by place, newest first, and
each group's records by ``(created, id)``, oldest first. Both keys are kept per record (``_place`` shares one tuple
among a group's members), so any set of ids is put in table order by two sorts in C (:meth:`GroupOrder.ordered`)
without building anything per group.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from itertools import accumulate, islice

Key = tuple[float, str]
"""(created, id) of a record, or (first created, group id) of a group."""

SORT_RATHER_THAN_SCAN = 8
"""Sort the matching ids when they are fewer than 1/8 of all records, else walk the groups newest first."""


class GroupOrder:
    """Members of every group and the order of the groups, updated one record at a time."""

    def __init__(self) -> None:
        self._members: dict[str, list[Key]] = {}
        """group → its records' (created, id), oldest first."""
        self._groups: list[Key] = []
        """The place of every group, oldest first."""
        self._place: dict[str, Key] = {}
        """record id → its group's place (one tuple object per group)."""
        self._key: dict[str, Key] = {}
        """record id → its (created, id)."""

    def __len__(self) -> int:
        return len(self._key)

    def rebuild(self, records: Iterable[tuple[str, Key]]) -> None:
        """Start again from ``(group, key)`` of every record, in (created, id) order."""
        self.__init__()  # type: ignore[misc]  # every field back to empty (no subclass redefines it)
        for group, key in records:
            self._members.setdefault(group, []).append(key)
            self._key[key[1]] = key
        for group, keys in self._members.items():
            place = (keys[0][0], group)
            self._groups.append(place)
            for key in keys:
                self._place[key[1]] = place
        self._groups.sort()

    def _move(self, group: str, place: Key) -> None:
        bisect.insort(self._groups, place)
        for key in self._members[group]:
            self._place[key[1]] = place

    def join(self, group: str, key: Key) -> None:
        """A record (``key`` = its (created, id)) is now in ``group``."""
        self._key[key[1]] = key
        members = self._members.get(group)
        if members and key > members[0]:
            bisect.insort(members, key)
            self._place[key[1]] = self._place[members[0][1]]
            return
        if members:  # it is the group's new first record: the group moves
            del self._groups[bisect.bisect_left(self._groups, self._place[members[0][1]])]
            members.insert(0, key)
        else:
            self._members[group] = [key]
        self._move(group, (key[0], group))

    def leave(self, group: str, key: Key) -> None:
        """A record left ``group`` (it was deleted, or its group or creation time changed)."""
        del self._key[key[1]]
        place = self._place.pop(key[1])
        members = self._members[group]
        first = members[0]
        del members[bisect.bisect_left(members, key)]
        if members and members[0] == first:
            return
        del self._groups[bisect.bisect_left(self._groups, place)]
        if members:
            self._move(group, (members[0][0], group))
        else:
            del self._members[group]

    # -- reading ---------------------------------------------------------------------------------------------

    def group_of(self, doc_id: str) -> str:
        """The group of a record."""
        return self._place[doc_id][1]

    def members(self, group: str) -> list[Key]:
        """A group's (created, id) in submission order (empty for an unknown group; do not change it)."""
        return self._members.get(group, [])

    def with_prefix(self, prefix: str, at_most: int = 5) -> list[str]:
        """Group ids that are ``prefix`` or start with it (the exact one alone when it exists)."""
        if prefix in self._members:
            return [prefix]
        return sorted(g for g in self._members if g.startswith(prefix))[:at_most]

    def ordered(self, ids: Iterable[str]) -> list[str]:
        """``ids`` in table order: newest group first, each group's records oldest first."""
        order = sorted(ids, key=self._key.__getitem__)
        order.sort(key=self._place.__getitem__, reverse=True)  # stable: each group stays in submission order
        return order

    def grouped(self, matching: set[str] | None) -> Iterator[tuple[str, list[str]]]:
        """(group, its ids in ``matching`` in submission order), newest group first, walking every group."""
        for i in range(len(self._groups) - 1, -1, -1):
            group = self._groups[i][1]
            members = self._members[group]
            ids = [key[1] for key in members] if matching is None else [k[1] for k in members if k[1] in matching]
            if ids:
                yield group, ids

    def page(self, matching: set[str] | None, offset: int, limit: int) -> tuple[list[str], dict[str, tuple[int, int]]]:
        """One page of ``matching`` (None: every record) in table order, and for each group on it
        ``(where its first matching record is in the whole table, how many of its records match)``."""
        if matching is not None and len(matching) * SORT_RATHER_THAN_SCAN < len(self._key):
            return self._sorted_page(self.ordered(matching), offset, limit)
        page: list[str] = []
        places: dict[str, tuple[int, int]] = {}
        position = 0
        if matching is None:  # skip whole groups by their sizes (summed in C)
            newest_first = [place[1] for place in reversed(self._groups)]
            ends = list(accumulate(map(len, map(self._members.__getitem__, newest_first))))
            skip = bisect.bisect_right(ends, offset)
            position = ends[skip - 1] if skip else 0
            groups: Iterator[tuple[str, list[str]]] = (
                (g, [k[1] for k in self._members[g]]) for g in islice(newest_first, skip, None)
            )
        else:
            groups = self.grouped(matching)
        for group, ids in groups:
            if len(page) >= limit:
                break
            if position + len(ids) > offset:
                places[group] = (position, len(ids))
                page.extend(ids[max(0, offset - position) :][: limit - len(page)])
            position += len(ids)
        return page, places

    def _sorted_page(self, order: list[str], offset: int, limit: int) -> tuple[list[str], dict[str, tuple[int, int]]]:
        page = order[offset : offset + limit]
        places: dict[str, tuple[int, int]] = {}
        place_of = self._place
        for i in range(offset, offset + len(page)):
            place = place_of[order[i]]
            if place[1] in places:
                continue
            start, end = i, i + 1
            while start > 0 and place_of[order[start - 1]] == place:
                start -= 1
            while end < len(order) and place_of[order[end]] == place:
                end += 1
            places[place[1]] = (start, end - start)
        return page, places
