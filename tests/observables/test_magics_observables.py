"""%%qrun --observable and (circuit, observables) PUB cells, through a real IPython shell; the text view's ⟨O⟩ lines."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

BELL = "from qiskit import QuantumCircuit\nbell = QuantumCircuit(2)\nbell.h(0)\nbell.cx(0, 1)\n"


@pytest.fixture(scope="module")
def ip():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    return shell


def test_observable_option_is_repeatable_and_shown_with_its_error(ip, capsys):
    ip.run_cell_magic("qrun", "-b aer --shots 400 --seed 3 --observable ZZ --observable XX --observable ZI --wait",
                      BELL)
    group = ip.user_ns["_"]
    assert group.expectation_values(timeout=120)[:2] == [1.0, 1.0]
    assert abs(group.expectation_values()[2]) <= 5 * group.standard_errors()[2]
    record = group[0].record
    assert [o["label"] for o in record["observables"]] == ["ZZ", "XX", "ZI"]
    out = capsys.readouterr().out
    assert "⟨ZZ⟩ = 1 ± 0" in out and "⟨XX⟩ = 1 ± 0" in out and "⟨ZI⟩ = " in out


def test_a_cell_of_estimator_pubs_runs_each_with_its_observables(ip, capsys):
    cell = BELL + ("from qiskit.circuit import Parameter\nt = Parameter('t')\nrot = QuantumCircuit(1)\n"
                   "rot.ry(t, 0)\n[(bell, ['ZZ']), (rot, 'Z', [[0.0], [3.141592653589793]])]\n")
    ip.run_cell_magic("qrun", "-b aer --shots 100 --seed 1 --wait", cell)
    group = ip.user_ns["_"]
    assert len(group) == 2
    assert group[0].expectation_values(timeout=120) == [1.0]
    assert group[1].expectation_values() == [[1.0], [-1.0]]
    out = capsys.readouterr().out
    assert "⟨Z⟩ = 1 ± 0 at point 0 of 2" in out


def test_a_bad_observable_is_a_usage_error_naming_it(ip):
    with pytest.raises(UsageError, match="not a Pauli label"):
        ip.run_cell_magic("qrun", "-b aer --observable ZQ", BELL)
    with pytest.raises(UsageError, match="acts on 3 qubits"):
        ip.run_cell_magic("qrun", "-b aer --observable ZZZ", BELL)
