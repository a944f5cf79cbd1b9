"""``qhybrid jobs``, ``show``, ``result``, ``compare``: JSON shapes, exit codes, the messages of bad ids and options,
and the same answers as the magics."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from cli_helpers import ENTRY_POINT, failed, ok_json, qhybrid

from qhybrid_lab.comparison import compare
from qhybrid_lab.runlog import RunLog


def test_jobs_lists_every_job_newest_first_with_the_filters_of_qjobs(home):
    qhome, ids = home
    # When the whole log is listed as JSON
    listing = ok_json(qhybrid("jobs", "--all", "--json"))
    # Then every record is there, newest first, as the run log has it (the dead kernel's job settled on read)
    log = RunLog(qhome)
    assert set(listing) == {"jobs", "total", "limit"} and listing["limit"] is None
    assert [j["id"] for j in listing["jobs"]] == [r["id"] for r in log.query(limit=None)]
    assert listing["total"] == 9 and len(listing["jobs"]) == 9
    statuses = {j["id"]: j["status"] for j in listing["jobs"]}
    assert statuses[ids["failed"]] == "failed" and statuses[ids["blocked"]] == "blocked"
    assert statuses[ids["dead_kernel"]] == "interrupted" and log.get(ids["dead_kernel"])["status"] == "interrupted"
    # And the filters select as %qjobs does
    for args, expected in [(["-s", "failed"], [ids["failed"]]), (["-s", "failed", "-s", "blocked"],
                                                                  [ids["blocked"], ids["failed"]]),
                           (["-t", "sweep"], [ids["sweep"]]), (["-b", "fake_manila", "-s", "done"], [ids["emulator"]])]:
        assert [j["id"] for j in ok_json(qhybrid("jobs", "--json", *args))["jobs"]] == expected, args
    newest = ok_json(qhybrid("jobs", "-n", "2", "--json", "--brief"))
    assert newest["total"] == 9 and newest["limit"] == 2 and len(newest["jobs"]) == 2
    assert all("qasm" not in j["circuit"] and "counts" not in (j.get("result") or {}) for j in newest["jobs"])
    # And the text is the %qjobs table
    text = qhybrid("jobs", "-t", "pair").stdout
    assert text.splitlines()[0] == "2 of 2 job(s), newest first"
    assert ids["emulator"][:8] in text and "fake_manila (emulator)" in text and "aer (simulator)" in text


def test_show_prints_the_record_or_all_of_it_as_json(home):
    qhome, ids = home
    record = ok_json(qhybrid("show", ids["emulator"][:6], "--json"))
    assert record == RunLog(qhome).get(ids["emulator"])
    text = qhybrid("show", ids["failed"][:8])
    assert text.returncode == 0
    assert f"job           {ids['failed']}" in text.stdout and "the device is retired" in text.stdout
    assert "history" in text.stdout and "failed" in text.stdout


def test_result_prints_counts_and_explains_why_there_are_none(home, template):
    qhome, ids = home
    counts = template[1]
    # A done job's counts, a sweep's list of counts per point
    assert ok_json(qhybrid("result", ids["aer"][:5])) == counts["counts"]
    assert ok_json(qhybrid("result", ids["sweep"], "--json")) == counts["sweep_counts"]
    assert len(counts["sweep_counts"]) == 3
    # No result: exit 1 and one line saying why, where it is, who follows it
    assert "is failed, it has no result: " in failed(qhybrid("result", ids["failed"]))
    assert "is blocked, it has no result: " in failed(qhybrid("result", ids["blocked"]))
    assert "is interrupted, it has no result: the kernel that ran this job exited" in failed(
        qhybrid("result", ids["dead_kernel"]))
    released = failed(qhybrid("result", ids["released"][:8], "--wait", "0.3"))
    assert f"job {ids['released'][:8]} is queued at braket (QUEUED); it has no result yet; no process follows it" \
           in released and "(waited 0.3 s.)" in released and "qhybrid result" in released
    # With --json a failure is also an error object on stdout
    done = qhybrid("result", ids["failed"], "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["error"] == "JobFailed"


def test_result_of_a_running_job_names_the_live_kernel_that_follows_it(home):
    # Given a job running in a kernel that is alive (a sleeping process with a heartbeat in the log)
    qhome, ids = home
    kernel = subprocess.Popen(["sleep", "300"])
    try:
        import socket

        log = RunLog(qhome)
        owner = f"{kernel.pid}@{socket.gethostname()}"
        log.heartbeat(owner, {"pid": kernel.pid})
        record = log.get(ids["aer"])
        job = log.insert({**{k: v for k, v in record.items() if k not in ("status_history", "created", "updated")},
                          "id": "feedbeef" + record["id"][8:], "status": "running", "result": None,
                          "origin": {**record["origin"], "owner": owner, "pid": kernel.pid}})
        # When its result is asked for, Then it says where it is and who follows it
        message = failed(qhybrid("result", job[:8]))
        assert f"job feedbeef is running; it has no result yet; {owner} follows it." in message
    finally:
        kernel.kill()
        kernel.wait()


def test_bad_ids_are_one_line_errors_with_exit_1(home):
    qhome, ids = home
    assert "no job 'ffffffff' in " + str(qhome / "runlog.jsonl") in failed(qhybrid("show", "ffffffff"))
    assert "an id prefix needs at least 4 characters" in failed(qhybrid("result", "ab"))
    twins = ids["twins"][0][:8]
    assert f"job id prefix '{twins}' matches several jobs" in failed(qhybrid("cancel", twins))
    done = qhybrid("show", "ffffffff", "--json")
    assert done.returncode == 1 and json.loads(done.stdout) == {
        "error": "UnknownJob", "message": f"no job 'ffffffff' in {qhome / 'runlog.jsonl'}"}
    assert "ran different circuits (bell vs rot)" in failed(qhybrid("compare", ids["aer"], ids["sweep"]))


def test_bad_options_are_usage_errors_with_exit_2():
    for args, message in [(["jobs", "--status", "finished"], "invalid choice: 'finished'"),
                          (["jobs", "-n", "0"], "must be a positive integer, got '0'"),
                          (["result"], "the following arguments are required: ID"),
                          (["result", "abcd", "--wait", "-1"], "must be a positive number of seconds"),
                          (["frobnicate"], "invalid choice: 'frobnicate'"), ([], "name a command")]:
        done = qhybrid(*args)
        assert done.returncode == 2 and message in done.stderr and done.stdout == "", (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_compare_prints_the_metrics_of_qhybrid_lab_compare(home):
    qhome, ids = home
    metrics = ok_json(qhybrid("compare", ids["aer"][:6], ids["emulator"][:6], "--json"))
    expected = compare(ids["aer"], ids["emulator"], log=RunLog(qhome)).as_dict()
    expected = json.loads(json.dumps(expected))
    for key in ("hellinger_fidelity", "total_variation_distance"):  # sums over a set: the last bits may differ
        assert metrics.pop(key) == pytest.approx(expected.pop(key), rel=1e-12)
    assert metrics == expected
    assert metrics["b"]["kind"] == "emulator" and metrics["depth_ratio"] >= 1
    text = qhybrid("compare", ids["aer"], ids["emulator"]).stdout
    assert "Hellinger fidelity" in text and "fake_manila (emulator)" in text


def test_the_command_line_answers_as_the_magics_do(home):
    # Given the magics loaded in a real IPython shell, on the same run log
    from IPython.core.interactiveshell import InteractiveShell

    qhome, ids = home
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    # Then the tables and the counts are the same
    assert qhybrid("jobs", "-n", "5").stdout.rstrip("\n") == repr(shell.run_line_magic("qjobs", "-n 5"))
    assert qhybrid("budget").stdout.rstrip("\n") == repr(shell.run_line_magic("qbudget", ""))
    assert ok_json(qhybrid("result", ids["sweep"])) == shell.run_line_magic("qresult", ids["sweep"])


def test_home_option_and_json_before_the_command_and_the_installed_entry_point(home, tmp_path):
    qhome, ids = home
    elsewhere = {**os.environ, "QHYBRID_HOME": str(tmp_path / "empty")}
    # --home wins over $QHYBRID_HOME, and common options may come before the command
    assert ok_json(qhybrid("--json", "--home", str(qhome), "jobs", env=elsewhere))["total"] == 9
    assert ok_json(qhybrid("jobs", "--json", env=elsewhere))["total"] == 0
    # The console script pip installed runs the same command
    assert ENTRY_POINT.is_file(), "pip install -e . creates the qhybrid script ([project.scripts])"
    installed = ok_json(qhybrid("show", ids["aer"], "--json", command=[str(ENTRY_POINT)]))
    assert installed == ok_json(qhybrid("show", ids["aer"], "--json"))
    helped = qhybrid("--help", command=[str(ENTRY_POINT)])
    assert helped.returncode == 0 and "exit status:" in helped.stdout and "usage error" in helped.stdout
    assert "qhybrid-lab " in qhybrid("--version", command=[str(ENTRY_POINT)]).stdout


def test_result_of_a_job_that_fell_back_names_the_job_with_the_answer(home):
    # Given a job on a broken backend that fell back to aer (a real run in this process)
    import uuid

    import engine_backends  # noqa: F401  (broken:<token>)
    from jobs_helpers import ghz

    from qhybrid_lab.jobs import JobManager, run

    try:
        job = run(ghz(2, "bell"), f"broken:{uuid.uuid4().hex[:8]}", shots=20, seed=5, fallback=["aer"])[0]
        counts = job.result(timeout=120)
    finally:
        JobManager.shutdown()
    replacement = RunLog(home[0]).get(job.id)["fallback"]["to"]
    # Then the first job's result names its replacement, whose result is the counts
    message = failed(qhybrid("result", job.id))
    assert f"job {job.id[:8]} is failed, it has no result: " in message
    assert f"it fell back to job {replacement[:8]}, whose result is the answer" in message
    assert ok_json(qhybrid("result", replacement)) == counts
