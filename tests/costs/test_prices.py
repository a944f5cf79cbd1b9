"""Price models: the packaged table, user overrides, and cost estimates of jobs."""

from __future__ import annotations

import json
import os

import pytest
from qiskit import QuantumCircuit

from qhybrid_lab.backends import get_backend
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.costs import PriceModel, estimate_cost, price_table
from qhybrid_lab.costs.prices import IBM_JOB_OVERHEAD_SECONDS, estimate_qpu_seconds
from qhybrid_lab.errors import InvalidJobSpec


def bell():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def write_overrides(home, models: dict) -> None:
    path = home / "prices.json"
    path.write_text(json.dumps({"models": models}))
    stat = path.stat()  # a rewrite within one clock tick must still be seen
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_packaged_table_has_sources_and_dates():
    table = price_table()
    assert table["ibm:default"].per_second == pytest.approx(1.6)
    assert {"braket:ionq_forte", "braket:iqm_garnet", "braket:rigetti_ankaa"} <= set(table)
    for key, model in table.items():
        assert model.source and model.date, key
        assert key == f"{model.provider}:{model.device}"


def test_estimate_formula():
    braket = PriceModel("braket", "iqm_garnet", per_task=0.3, per_shot=0.00145)
    assert braket.estimate(1000) == pytest.approx(1.75)
    ibm = PriceModel("ibm", "x", per_second=1.6, min_seconds=10)
    assert ibm.estimate(100, seconds=2.0) == pytest.approx(16.0)  # minimum billed
    assert ibm.estimate(100, seconds=20.0) == pytest.approx(32.0)
    assert PriceModel("aer", "aer").is_free and PriceModel("aer", "aer").estimate(10**6, 5.0) == 0


def test_user_overrides_fields_and_adds_entries(qhome):
    write_overrides(qhome, {
        "ibm:default": {"per_second": 2.0, "source": "my contract", "date": "2026-01"},
        "ibm:ibm_sherbrooke": {"provider": "ibm", "device": "ibm_sherbrooke", "per_second": 0.5,
                               "source": "discount", "date": "2026-02"},
    })
    table = price_table()
    assert table["ibm:default"].per_second == 2.0 and table["ibm:default"].currency == "USD"
    assert get_backend("fake_sherbrooke").hardware_price_model().per_second == 0.5
    assert get_backend("fake_torino").hardware_price_model().per_second == 2.0
    write_overrides(qhome, {"ibm:default": {"per_second": 3.0}})
    assert price_table()["ibm:default"].per_second == 3.0
    assert get_backend("fake_sherbrooke").hardware_price_model().per_second == 3.0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("{not json", "not valid JSON"),
     (json.dumps({"ibm:default": {}}), '"models"'),
     (json.dumps({"models": {"ibm:default": {"per_minute": 1}}}), "unknown field"),
     (json.dumps({"models": {"ibm:default": {"per_second": -1}}}), "per_second"),
     (json.dumps({"models": {"new:device": {"per_shot": 1}}}), "provider")],
)
def test_bad_override_files_are_refused_with_the_file_named(qhome, content, fragment):
    (qhome / "prices.json").write_text(content)
    with pytest.raises(InvalidJobSpec, match=fragment) as info:
        price_table()
    assert str(qhome / "prices.json") in str(info.value)


def test_local_simulator_costs_nothing_and_has_no_hardware_equivalent():
    backend = get_backend("aer")
    cost = estimate_cost(backend, transpile_for(bell(), backend).circuit, 1000)
    assert cost["estimate"] == 0.0 and cost["hardware_equivalent"] is None
    assert cost["actual"] is None and cost["qpu_seconds"] is None
    assert cost["price_model"]["provider"] == "aer"


def test_emulator_is_free_but_prices_the_real_device(qhome):
    write_overrides(qhome, {"ibm:default": {"per_second": 1.0}})
    backend = get_backend("fake_sherbrooke")
    circuit = transpile_for(bell(), backend).circuit
    cost = estimate_cost(backend, circuit, 4000)
    duration = circuit.estimate_duration(backend.target(), unit="s")
    expected_seconds = IBM_JOB_OVERHEAD_SECONDS + 4000 * (duration + 250e-6)
    assert cost["estimate"] == 0.0
    assert cost["qpu_seconds"] == pytest.approx(expected_seconds)
    assert cost["hardware_equivalent"] == pytest.approx(expected_seconds * 1.0, rel=1e-6)
    assert cost["hardware_price_model"]["per_second"] == 1.0
    assert 4.0 < estimate_qpu_seconds(circuit, backend, 4096) < 4.2  # IBM's example: Bell, 4096 shots ≈ 4.1 s
