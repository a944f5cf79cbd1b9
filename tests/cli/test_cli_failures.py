"""A damaged run log (every command exits 1 naming the file and line, the bytes untouched) and a read-only home
(every read works, every write exits 1 saying why), with the privileges that let root ignore permissions dropped."""

from __future__ import annotations

import json

import pytest
from cli_helpers import failed, ok_json, qhybrid
from jobs_helpers import dropped_privileges

EVERY_COMMAND = [["jobs"], ["show", "{aer}"], ["result", "{aer}"], ["cancel", "{aer}"], ["compare", "{aer}", "{emu}"],
                 ["budget"], ["budget", "--limit", "1"], ["export", "{out}"], ["compact"], ["watch", "--once"],
                 ["doctor"]]


def _args(template: list[str], ids: dict, out: str) -> list[str]:
    return [a.format(aer=ids["aer"], emu=ids["emulator"], out=out) for a in template]


@pytest.mark.parametrize("json_mode", [False, True])
def test_a_damaged_log_fails_every_command_with_its_file_and_line_and_is_left_as_it_is(home, tmp_path, json_mode):
    # Given a log whose third line is garbage
    qhome, ids = home
    log_file = qhome / "runlog.jsonl"
    lines = log_file.read_bytes().splitlines(keepends=True)
    damaged = b"".join(lines[:2] + [b"{garbage\n"] + lines[2:])
    log_file.write_bytes(damaged)
    for command in EVERY_COMMAND:
        # When any command runs on it
        done = qhybrid(*_args(command, ids, str(tmp_path / "out.json")), *(["--json"] if json_mode else []))
        # Then it exits 1 with one line naming the file and the line, and nothing is rewritten or written
        message = failed(done)
        assert f"{log_file} is damaged: line 3 " in message, (command, message)
        if json_mode and command[0] != "doctor":
            assert json.loads(done.stdout)["error"] == "RunLogCorrupt", command
        elif not json_mode:
            assert command[0] == "doctor" or done.stdout == "", command
        assert log_file.read_bytes() == damaged, command
    assert not (tmp_path / "out.json").exists()


def test_a_read_only_home_is_readable_and_writes_fail_clearly(home, tmp_path):
    # Given the home made read-only (directories 0555, files 0444)
    qhome, ids = home
    expected = {"jobs": ok_json(qhybrid("jobs", "--all", "--json")), "show": ok_json(qhybrid("show", ids["aer"],
                                                                                           "--json"))}
    paths = [qhome, *qhome.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    before = (qhome / "runlog.jsonl").read_bytes()
    prefix = dropped_privileges()
    try:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        # When the command line reads there, Then everything reads as before
        assert ok_json(qhybrid("jobs", "--all", "--json", prefix=prefix)) == expected["jobs"]
        assert ok_json(qhybrid("show", ids["aer"], "--json", prefix=prefix)) == expected["show"]
        assert ok_json(qhybrid("result", ids["aer"], prefix=prefix)) == expected["show"]["result"]["counts"]
        assert ok_json(qhybrid("budget", "--json", prefix=prefix)) == {"budgets": [], "rehearse": False}
        assert ok_json(qhybrid("compare", ids["aer"], ids["emulator"], "--json", prefix=prefix))["b"]["kind"] \
            == "emulator"
        assert ok_json(qhybrid("watch", "--once", "--json", prefix=prefix))["total"] == 9
        assert ok_json(qhybrid("export", str(tmp_path / "runs.csv"), "--json", prefix=prefix))["records"] == 9
        report = ok_json(qhybrid("doctor", "--json", prefix=prefix))
        assert report["home"]["writable"] is False and report["log"]["records"] == 9
        # And every write exits 1 saying why, changing nothing
        assert "read-only home? set QHYBRID_HOME to a writable directory" in failed(
            qhybrid("budget", "--limit", "1", prefix=prefix))
        assert "Permission denied" in failed(qhybrid("compact", prefix=prefix))
        assert "cannot write the run log" in failed(qhybrid("cancel", ids["released"], prefix=prefix))
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert (qhome / "runlog.jsonl").read_bytes() == before
