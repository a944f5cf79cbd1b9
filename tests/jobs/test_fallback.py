"""Fallback chains: every trigger moves the job down the chain, and both records link to each other with the reason."""

from __future__ import annotations

import pytest
from jobs_helpers import ghz

from qhybrid_lab.backends import register_backend
from qhybrid_lab.errors import BudgetExceeded, MissingDependency
from qhybrid_lab.jobs import run
from qhybrid_lab.runlog import open_runlog


def _unavailable(name: str):
    raise MissingDependency(f"'{name}' needs an SDK that is not installed: pip install \"qhybrid-lab[nothing]\"")


register_backend("gone:", _unavailable)


def links(job):
    """(first record, its replacement's record) from the run log."""
    log = open_runlog()
    first = log.get(job.id)
    return first, log.get(first["fallback"]["to"])


def assert_linked(first, second, reason_part: str):
    assert first["fallback"]["to"] == second["id"] and second["fallback"]["from"] == first["id"]
    assert second["fallback"]["backend"] == first["backend"]["name"]
    assert reason_part in first["fallback"]["reason"] and first["fallback"]["reason"] == second["fallback"]["reason"]
    assert first["group"] == second["group"] and first["circuit"]["hash"] == second["circuit"]["hash"]


def test_an_unavailable_backend_falls_back_at_submission(bell):
    group = run(bell, "gone:device", shots=50, seed=1, fallback="aer")
    assert group.result(timeout=60) == {"bell": {"aer": group[0].result()}}
    first, second = links(group[0])
    assert first["status"] == "blocked" and "unavailable" in first["blocked_reason"]
    assert second["status"] == "done" and second["backend"]["name"] == "aer"
    assert_linked(first, second, "pip install")
    assert group[0].final().backend == "aer"


def test_without_a_fallback_an_unavailable_backend_is_an_error(bell):
    with pytest.raises(MissingDependency, match="pip install"):
        run(bell, "gone:device")


def test_a_budget_refusal_falls_back(bell):
    open_runlog().set_budget(limit=0.01, period="total")
    group = run(bell, "paid:10", shots=100, fallback=["aer"])  # 100 shots at 10 cents: $10, over the limit
    assert sum(group[0].result(timeout=60).values()) == 100
    first, second = links(group[0])
    assert first["status"] == "blocked" and second["status"] == "done"
    assert_linked(first, second, "budget")


def test_when_every_backend_of_the_chain_is_refused_the_submission_raises(bell):
    open_runlog().set_budget(limit=0.01, period="total")
    with pytest.raises(BudgetExceeded):
        run(bell, "paid:10", shots=100, fallback=["paid:20"])
    statuses = sorted(r["status"] for r in open_runlog().query(limit=None))
    assert statuses == ["blocked", "blocked"]


def test_a_job_failing_after_its_retries_falls_back(bell, token):
    job = run(bell, f"broken:{token}", shots=64, seed=2, fallback=["aer"])[0]
    assert sum(job.result(timeout=120).values()) == 64
    first, second = links(job)
    assert first["status"] == "failed" and "retired" in first["error"]
    assert_linked(first, second, "retired")


def test_a_chain_goes_on_until_one_backend_answers(bell, token):
    job = run(bell, f"broken:{token}", shots=64, fallback=["gone:device", "aer"])[0]
    assert sum(job.result(timeout=120).values()) == 64
    log = open_runlog()
    chain = [log.get(job.id)]
    while (chain[-1].get("fallback") or {}).get("to"):
        chain.append(log.get(chain[-1]["fallback"]["to"]))
    assert [(r["backend"]["name"], r["status"]) for r in chain] == [
        (f"broken:{token}", "failed"), ("gone:device", "blocked"), ("aer", "done")]
    assert job.final().backend == "aer"


def test_a_job_over_its_timeout_falls_back(bell):
    # the fallback has the same timeout, from its own submission: it runs on a thread (cloud:), not on the worker
    # that the timeout just ended (whose replacement could take longer than that to start on a slow machine)
    job = run(bell, "busy:600", shots=32, timeout=3.0, fallback=["cloud:fast"])[0]
    assert sum(job.result(timeout=120).values()) == 32
    first, second = links(job)
    assert first["status"] == "failed" and first["timeout"]["action"] == "cancelled"
    assert_linked(first, second, "timed out")


def exact_cut(circuit, shots):
    """A classical 'solver' giving the answer in the shape of counts."""
    return {"11": shots}


def best_value(circuit, shots):
    return 0.75


def test_a_classical_function_is_the_last_resort(bell, token):
    job = run(bell, f"broken:{token}", shots=20, fallback=[exact_cut])[0]
    assert job.result(timeout=120) == {"11": 20}
    first, second = links(job)
    assert second["backend"]["kind"] == "classical" and second["backend"]["name"].endswith("exact_cut")
    assert second["timings"]["run"] is not None and second["transpile"] is None
    value = run(ghz(3), f"broken:{token}x", shots=10, fallback=[best_value])[0]
    assert value.result(timeout=120) == 0.75


def test_qrun_fallback_option(ip_shell, token):
    ip_shell.run_cell_magic("qrun", f"-b broken:{token} --fallback aer --shots 16 --wait",
                            "from qiskit import QuantumCircuit\nqc = QuantumCircuit(1)\nqc.x(0)\nqc.measure_all()")
    group = ip_shell.user_ns["_"]
    assert group.result(timeout=60) == {"qc": {"aer": {"1": 16}}}


@pytest.fixture
def ip_shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    return shell


def _no_account(name: str):
    from qhybrid_lab.backends.aer import AerBackend
    from qhybrid_lab.errors import AccountNotConfigured

    class NeedsAccount(AerBackend):
        def __init__(self) -> None:
            super().__init__("aer")
            self.name = name

        def validate(self, circuit, shots):  # a provider that can only check a circuit with an account
            raise AccountNotConfigured(f"{name}: no account is configured; save one first")

    return NeedsAccount()


register_backend("noaccount:", _no_account)


def test_a_provider_without_an_account_falls_back_when_it_checks_the_circuit(bell):
    group = run(bell, "noaccount:device", shots=20, fallback=["aer"])
    assert sum(group[0].result(timeout=60).values()) == 20
    first, second = links(group[0])
    assert first["status"] == "blocked" and "no account" in first["blocked_reason"]
    assert_linked(first, second, "no account")
