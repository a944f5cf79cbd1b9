"""``qhybrid export`` (JSON, CSV, Parquet; filters; pyarrow missing; a target that cannot be written) and
``qhybrid compact``."""

from __future__ import annotations

import csv
import json
import sys

from cli_helpers import failed, ok_json, qhybrid

from qhybrid_lab.runlog import RunLog

WITHOUT_PYARROW = ("import sys; sys.modules['pyarrow'] = None  # as if pyarrow were not installed\n"
                   "from qhybrid_lab.cli import main; sys.exit(main())")


def test_export_writes_json_csv_and_parquet_with_filters(home, tmp_path):
    qhome, ids = home
    log = RunLog(qhome)
    # JSON: whole records, the format taken from the suffix
    answer = ok_json(qhybrid("export", str(tmp_path / "all.json"), "--json"))
    assert answer == {"path": str(tmp_path / "all.json"), "format": "json", "records": 9}
    assert json.loads((tmp_path / "all.json").read_text()) == log.query(limit=None)
    # CSV with filters, the format given
    done = qhybrid("export", str(tmp_path / "done.txt"), "--format", "csv", "-s", "done", "-b", "aer")
    assert done.returncode == 0 and f"wrote 4 record(s) to {tmp_path / 'done.txt'} (csv)" in done.stdout
    rows = list(csv.DictReader((tmp_path / "done.txt").open(newline="")))
    assert sorted(r["id"] for r in rows) == sorted([ids["aer"], ids["sweep"], *ids["twins"]])
    # Parquet: typed columns, read back with pyarrow
    import pyarrow.parquet as pq

    ok_json(qhybrid("export", str(tmp_path / "runs.parquet"), "--json", "-t", "pair"))
    table = pq.read_table(tmp_path / "runs.parquet").to_pylist()
    assert {r["id"] for r in table} == {ids["aer"], ids["emulator"]}
    aer = next(r for r in table if r["id"] == ids["aer"])
    assert aer["shots"] == 300 and aer["tags"] == ["pair"] and isinstance(aer["time_total"], float)
    assert json.loads(aer["counts"]) == log.get(ids["aer"])["result"]["counts"]


def test_parquet_without_pyarrow_says_what_to_install_and_writes_nothing(home, tmp_path):
    target = tmp_path / "runs.parquet"
    done = qhybrid("export", str(target), command=[sys.executable, "-c", WITHOUT_PYARROW])
    assert "Parquet export needs pyarrow: pip install pyarrow" in failed(done)
    assert list(tmp_path.iterdir()) == [tmp_path / "qhybrid-home"]
    # while CSV needs nothing more
    assert qhybrid("export", str(tmp_path / "x.csv"), command=[sys.executable, "-c", WITHOUT_PYARROW]).returncode == 0


def test_an_export_target_that_cannot_be_written_is_one_line_with_exit_1(home, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    message = failed(qhybrid("export", str(tmp_path / "a-file" / "runs.json")))
    assert str(tmp_path / "a-file") in message


def test_compact_keeps_every_record_and_drops_superseded_lines(home):
    qhome, _ = home
    log = RunLog(qhome)
    before = log.query(limit=None)
    size = log.file.stat().st_size
    answer = ok_json(qhybrid("compact", "--json"))
    assert answer["file"] == str(log.file) and answer["bytes_before"] == size
    assert answer["bytes_after"] == log.file.stat().st_size < size and answer["superseded_lines_dropped"] > 0
    assert RunLog(qhome).query(limit=None) == before
    assert "compacted " + str(log.file) in qhybrid("compact").stdout
