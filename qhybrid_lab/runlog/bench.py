"""Measure the run log against TinyDB's default JSONStorage (a script, not a test): ``python -m qhybrid_lab.runlog.bench``."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

QASM = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nbit[5] c;\nqubit[5] q;\nh q[0];\n" + "cx q[0], q[1];\n" * 40


def sample_record(i: int, status: str = "done") -> dict:
    """A realistic run record of about 1.9 KB."""
    now = time.time() - 1e5 + i
    return {
        "schema": 1, "id": uuid.uuid4().hex, "group": uuid.uuid4().hex, "idempotency_key": "sha256:" + "ab" * 32,
        "created": now, "updated": now, "status": status,
        "status_history": [{"status": "pending", "at": now, "note": None}, {"status": status, "at": now, "note": None}],
        "backend": {"name": ("aer", "fake_torino", "fake_sherbrooke")[i % 3], "provider": "aer", "kind": "simulator",
                    "version": "0.18.2", "num_qubits": 30},
        "provider_job_id": None,
        "circuit": {"hash": f"sha256:{i % 97:064x}", "name": f"ghz{i % 7}", "num_qubits": 5, "qasm": QASM,
                    "measure_added": False, "depth": 6, "size": 10, "two_qubit": 4, "ops": {"h": 1, "cx": 4}},
        "parameters": None, "shots": 1024, "seed": None,
        "transpile": {"optimization_level": 2, "seed": 1234, "qiskit_version": "2.6.2", "cached": False,
                      "seconds": 0.01, "depth": 7, "size": 12, "two_qubit": 4, "physical_qubits": [0, 1, 2, 3, 4]},
        "cost": {"currency": "USD", "estimate": 0.0, "actual": None, "hardware_equivalent": 1.6, "counted": 0.0},
        "timings": {"transpile": 0.01, "queue": 0.2, "run": 0.05, "total": 0.3},
        "attempts": 1, "errors": [], "error": None, "result": {"counts": {"00000": 510, "11111": 514}, "shots": 1024},
        "origin": {"owner": "4242@host", "pid": 4242, "host": "host", "notebook": f"nb{i % 5}.ipynb"}, "tags": [],
    }


def _percentiles(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"p50_ms": 1e3 * statistics.median(times), "p95_ms": 1e3 * times[min(len(times) - 1, int(0.95 * len(times)))]}


def measure(n_records: int, repeats: int = 200, directory: Path | None = None) -> dict:
    """Fill a fresh run log to ``n_records`` (20 of them active) and time the hot operations."""
    from . import RunLog

    directory = directory or Path(tempfile.mkdtemp(prefix="qhybrid-bench-"))
    log = RunLog(directory)
    t0 = time.perf_counter()
    for start in range(0, n_records, 2000):
        log.insert_many([sample_record(i, "running" if i % (n_records // 20 or 1) == 0 else "done")
                         for i in range(start, min(n_records, start + 2000))])
    fill = time.perf_counter() - t0
    active_ids = [r["id"] for r in log.active()]
    extra = iter(range(n_records, n_records + 10 * repeats))
    out = {"records": n_records, "file_mb": log.file.stat().st_size / 1e6, "fill_s": fill,
           "insert": _percentiles(lambda: log.insert(sample_record(next(extra), "pending")), repeats),
           "update": _percentiles(lambda: log.update(active_ids[0], {"timings": {"run": 0.1}}), repeats),
           "active": _percentiles(log.active, max(20, repeats // 4)),
           "query50": _percentiles(lambda: log.query(limit=50), max(20, repeats // 4)),
           "query_status": _percentiles(lambda: log.query(status="running", limit=50), max(20, repeats // 4))}
    t0 = time.perf_counter()
    other = RunLog(directory)  # a second process's cold start: parse the whole file
    other.count()
    out["cold_load_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    log.compact()
    out["compact_s"] = time.perf_counter() - t0
    return out


def measure_jsonstorage(n_records: int, repeats: int = 7) -> dict:
    """The same operations on TinyDB's default JSONStorage (the file written directly to fill it)."""
    from tinydb import Query, TinyDB

    path = Path(tempfile.mkdtemp(prefix="qhybrid-bench-tinydb-")) / "db.json"
    docs = {str(i + 1): sample_record(i, "running" if i % 50 == 0 else "done") for i in range(n_records)}
    path.write_text(json.dumps({"_default": docs}))
    extra = iter(range(n_records, n_records + 10 * repeats))
    q = Query()

    def fresh() -> TinyDB:
        return TinyDB(path)

    db = fresh()
    return {"records": n_records, "file_mb": path.stat().st_size / 1e6,
            "insert": _percentiles(lambda: db.insert(sample_record(next(extra), "pending")), repeats),
            "update": _percentiles(lambda: db.update({"attempts": 2}, doc_ids=[1]), repeats),
            "active": _percentiles(lambda: fresh().search(q.status.one_of(["pending", "queued", "running"])), repeats),
            "query50": _percentiles(lambda: sorted(fresh().all(), key=lambda d: d["created"])[-50:], repeats)}


def main(argv: list[str]) -> None:
    """Print the figures as JSON: ``bench.py [N]`` (default 100000), then JSONStorage at 1k and 10k."""
    n = int(argv[0]) if argv else 100_000
    print(json.dumps({"runlog": measure(n), "jsonstorage_1k": measure_jsonstorage(1000),
                      "jsonstorage_10k": measure_jsonstorage(10_000, repeats=5)}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
