"""The jobs table of the run log: group order, pinned active jobs, counts, filters, search, group lookups."""

from __future__ import annotations

import random
import uuid

import pytest

from qhybrid_lab.errors import AmbiguousJobId, UnknownJob
from qhybrid_lab.runlog import RunLog


def make_record(**overrides) -> dict:
    """A small run record; keyword arguments replace top-level keys."""
    record = {"id": uuid.uuid4().hex, "group": "g1", "backend": {"name": "aer", "provider": "aer", "kind": "simulator"},
              "circuit": {"hash": "sha256:aa", "name": "bell", "num_qubits": 2}, "shots": 1024,
              "origin": {"owner": "1@h", "pid": 1, "host": "h", "notebook": "a.ipynb"}, "tags": []}
    record.update(overrides)
    return record


def names(records: list[dict]) -> list[str]:
    return [r["circuit"]["name"] for r in records]


def job(name: str, created: float, group: str, status: str = "done", **overrides) -> dict:
    return make_record(created=created, group=group, status=status,
                       circuit={"hash": "sha256:aa", "name": name, "num_qubits": 2}, **overrides)


def test_newest_group_first_and_submission_order_within(log):
    # Given two groups submitted one after the other, the older one finishing last
    log.insert_many([job(f"a{i}", 100.0 + i, "ga") for i in range(3)])
    log.insert_many([job(f"b{i}", 200.0 + i, "gb") for i in range(3)])
    log.update(log.table(search="a2")["page"][0]["id"], {"note": "late change"})
    # When the table is read in pages
    first = log.table(limit=4)
    second = log.table(limit=4, offset=first["next_offset"])
    # Then the newer group comes first, each group in submission order, pages continue where the last stopped
    assert names(first["page"]) == ["b0", "b1", "b2", "a0"] and names(second["page"]) == ["a1", "a2"]
    assert first["next_offset"] == 4 and second["next_offset"] is None and first["total"] == 6
    rows = {g["group"]: g for g in first["groups"]}
    assert [g["group"] for g in first["groups"]] == ["gb", "ga"]
    assert (rows["gb"]["offset"], rows["gb"]["matching"]) == (0, 3) and (rows["ga"]["offset"], rows["ga"]["matching"]) == (3, 3)
    assert rows["ga"]["total"] == 3 and rows["ga"]["by_status"] == {"done": 3}


def test_ties_are_broken_the_same_way_every_time(log):
    # Given records and groups created at the very same time
    ids = sorted(uuid.uuid4().hex for _ in range(4))
    log.insert_many([make_record(id=ids[i], created=50.0, group=f"g{i % 2}", circuit={"name": f"c{i}"})
                     for i in range(4)])
    # Then groups tie-break by group id (newest-first order: g1 before g0), records by id within a group
    view = log.table()
    assert [r["id"] for r in view["page"]] == [ids[1], ids[3], ids[0], ids[2]]
    assert [r["id"] for r in RunLog(log.directory).table()["page"]] == [r["id"] for r in view["page"]]



def test_records_written_together_without_a_time_keep_their_submission_order(log):
    # Given one write of 30 records of one group with no "created" (as run() of a dict of circuits writes them),
    # their ids in random order
    records = [make_record(group="batch", circuit={"hash": "sha256:aa", "name": f"c{i:02d}", "num_qubits": 1})
               for i in range(30)]
    assert [r["id"] for r in records] != sorted(r["id"] for r in records)
    log.insert_many(records)
    # Then the table lists them in the order they were given, in this process and in another reader
    expected = [f"c{i:02d}" for i in range(30)]
    assert names(log.table(limit=30)["page"]) == expected
    assert names(RunLog(log.directory).table(limit=30)["page"]) == expected
    assert names(log.group_jobs("batch")) == expected

def test_active_jobs_are_pinned_and_counted_whatever_the_page(log):
    # Given a long job followed by a group of 150 quick ones, two of them still running
    log.insert(job("long", 10.0, "g-long", status="running", backend={"name": "fake_torino", "kind": "emulator"}))
    log.insert_many([job(f"q{i}", 20.0 + i, "g-batch", status="done" if i < 148 else "running") for i in range(150)])
    # When only the first page of done jobs is asked for
    view = log.table(status="done", limit=10)
    # Then every active job is pinned (in table order), counted, and its group has a row
    assert names(view["active"]) == ["q148", "q149", "long"]
    assert view["counts"]["active"] == 3 and view["overall"] == {"total": 151, "active": 3}
    assert view["counts"]["by_status"]["done"] == 148 and view["counts"]["total"] == 151 and view["total"] == 148
    rows = {g["group"]: g for g in view["groups"]}
    assert (rows["g-batch"]["done"], rows["g-batch"]["total"], rows["g-batch"]["active"]) == (148, 150, 2)
    assert rows["g-long"]["offset"] is None and rows["g-long"]["backends"] == ["fake_torino"]
    # and a cap on pinned jobs keeps the counts exact
    capped = log.table(active_limit=1)
    assert len(capped["active"]) == 1 and capped["counts"]["active"] == 3


def test_filters_search_and_finished_after_narrow_the_table(log):
    # Given jobs of two kinds, experiments, names and tags, finished at different times
    log.insert_many([
        job("bell", 1.0, "g1", backend={"name": "aer", "kind": "simulator"}, experiment="vqe", tags=["Calib"]),
        job("ghz", 2.0, "g1", backend={"name": "fake_torino", "kind": "emulator"}, experiment="vqe"),
        job("qft", 3.0, "g2", status="running", backend={"name": "fake_torino", "kind": "emulator"}),
    ])
    log.insert(job("old", 0.5, "g0", updated=0.5))
    # Then each filter narrows the table and its counts, active jobs included
    assert names(log.table(kind="emulator")["page"]) == ["qft", "ghz"]
    assert names(log.table(experiment="vqe")["page"]) == ["bell", "ghz"]
    assert names(log.table(search="GH")["page"]) == ["ghz"] and names(log.table(search="calib")["page"]) == ["bell"]
    first = log.table(search="bell")["page"][0]["id"]
    assert names(log.table(search=first[:6])["page"]) == ["bell"]
    assert log.table(kind="simulator")["active"] == [] and log.table(kind="simulator")["counts"]["active"] == 0
    # clear finished from view: finished jobs older than the time given go, active ones stay, the log keeps all
    cleared = log.table(finished_after=1.0)
    assert "old" not in names(cleared["page"]) and "qft" in names(cleared["page"])
    assert cleared["counts"]["total"] == 3 and log.count() == 4
    # and query()/count() take the same new filters
    assert names(log.query(kind="emulator", experiment="vqe")) == ["ghz"] and log.count(search="o") == 1


def test_groups_by_exact_id_or_prefix(log):
    log.insert_many([job("a", 1.0, "abcd1111"), job("b", 2.0, "abcd2222"), job("c", 3.0, "abcd2222")])
    assert log.resolve_group("abcd1") == "abcd1111"
    assert names(log.group_jobs("abcd2")) == ["b", "c"]
    with pytest.raises(AmbiguousJobId):
        log.resolve_group("abcd")
    with pytest.raises(UnknownJob, match="no group"):
        log.resolve_group("ffff")
    with pytest.raises(UnknownJob):
        log.resolve_group("abc")


def test_the_index_kept_up_to_date_equals_one_built_from_the_file(log):
    # Given many inserts, updates that change status, group and creation time, from this process
    rng = random.Random(7)
    ids = []
    for batch in range(30):
        group = f"g{rng.randrange(8)}"
        records = [job(f"n{batch}-{i}", rng.choice([1.0, 2.0, 3.0, rng.random() * 100]), group,
                       status=rng.choice(["pending", "running", "done", "failed"]),
                       tags=[rng.choice(["x", "y"])]) for i in range(rng.randrange(1, 6))]
        ids += log.insert_many(records)
    for _ in range(120):
        job_id = rng.choice(ids)
        change = rng.choice([{"group": f"g{rng.randrange(10)}"}, {"created": rng.random() * 100}, {"tags": ["z"]}])
        log.update(job_id, change, status=rng.choice([None, "done", "cancelled"]))
    # When another process reads the same file from scratch
    fresh = RunLog(log.directory)
    # Then both give the same table for every kind of view
    for kwargs in ({}, {"limit": 7, "offset": 11}, {"status": "done", "limit": 500}, {"tag": "z"},
                   {"search": "n1", "limit": 20}, {"finished_after": 0.0}):
        ours, theirs = log.table(**kwargs), fresh.table(**kwargs)
        assert [r["id"] for r in ours["page"]] == [r["id"] for r in theirs["page"]], kwargs
        assert ours["groups"] == theirs["groups"] and ours["counts"] == theirs["counts"], kwargs
    assert [r["id"] for r in log.query(limit=None)] == [r["id"] for r in fresh.query(limit=None)]


def test_sorting_a_few_ids_and_walking_the_groups_give_the_same_pages(log, monkeypatch):
    # Given groups of many sizes, records created at the same instant, groups that started at the same time
    import qhybrid_lab.runlog.groups as groups_module

    rng = random.Random(11)
    log.insert_many([job(f"n{i}", float(rng.randrange(40)), f"g{rng.randrange(25)}", tags=[f"t{i % 9}"])
                     for i in range(300)])
    index = log._index
    for trial in range(40):
        matching = set(rng.sample(sorted(index._meta), rng.randrange(1, 120))) if trial else None
        offset, limit = rng.randrange(0, 150), rng.randrange(1, 60)
        # When a page is taken by sorting the ids, and by walking every group
        monkeypatch.setattr(groups_module, "SORT_RATHER_THAN_SCAN", 10**9)
        walked = index.groups.page(matching, offset, limit)
        monkeypatch.setattr(groups_module, "SORT_RATHER_THAN_SCAN", 0)
        by_sorting = index.groups.page(matching, offset, limit) if matching is not None else walked
        # Then both are the same page with the same group places
        assert walked == by_sorting, (trial, offset, limit)
    ordered = index.groups.ordered(index._meta)
    assert [r["id"] for r in log.table(limit=500)["page"]] == ordered
