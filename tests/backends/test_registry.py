"""The backend registry: names, suggestions, caching, and registering new providers."""

from __future__ import annotations

import pytest
from backend_helpers import ghz

from qhybrid_lab.backends import BackendKind, get_backend, list_backends, register_backend
from qhybrid_lab.backends.aer import AerBackend
from qhybrid_lab.backends.registry import backend_name
from qhybrid_lab.errors import UnknownBackend


class LabSimulator(AerBackend):
    """A provider adapter defined outside the package: an Aer statevector under another name."""

    provider = "lab"

    def __init__(self, name: str):
        super().__init__("aer:statevector")
        self.name = name


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownBackend) as info:
        get_backend("fake_torin")
    assert str(info.value) == "unknown backend 'fake_torin'; did you mean 'fake_torino'?"
    assert isinstance(info.value, LookupError)


def test_unknown_name_without_a_close_match_says_where_to_look():
    with pytest.raises(UnknownBackend, match="list_backends"):
        get_backend("zzzzzz")


def test_instances_are_cached_and_names_case_insensitive():
    assert get_backend("aer") is get_backend(" AER ")
    assert get_backend("fake_kyiv") is get_backend("fake_kyiv")


def test_aer_variants_use_their_method():
    assert get_backend("aer:mps").method == "matrix_product_state"
    assert get_backend("aer:statevector").method == "statevector"
    assert get_backend("aer:mps").kind is BackendKind.SIMULATOR


def test_register_an_exact_name(clean_registry):
    register_backend("labsim", LabSimulator)
    backend = get_backend("labsim")
    assert isinstance(backend, LabSimulator) and backend.provider == "lab"
    assert "labsim" in {row["name"] for row in list_backends()}
    result = backend.execute([ghz(2)], shots=100, seed=1)[0]
    assert set(result.counts) <= {"00", "11"}


def test_register_a_prefix_with_listed_names(clean_registry):
    devices = ["lab:one", "lab:two"]
    register_backend(
        "lab:", LabSimulator,
        names=lambda: [{"name": n, "kind": "simulator", "provider": "lab", "description": "lab"} for n in devices],
    )
    assert get_backend("lab:two").name == "lab:two"
    rows = {row["name"]: row for row in list_backends()}
    assert rows["lab:one"]["provider"] == "lab"
    with pytest.raises(UnknownBackend, match="did you mean 'lab:one'"):
        get_backend("lab:onee")


def test_register_a_prefix_resolved_by_the_factory(clean_registry):
    def factory(name: str):
        if name != "remote:known":
            raise UnknownBackend(f"unknown device {name!r} at remote")
        return LabSimulator(name)

    register_backend("remote:", factory)
    assert get_backend("remote:known").name == "remote:known"
    with pytest.raises(UnknownBackend, match="at remote"):
        get_backend("remote:other")
    assert "remote:known" not in {row["name"] for row in list_backends()}


def test_a_later_registration_replaces_a_builtin(clean_registry):
    original = get_backend("aer")
    register_backend("aer", LabSimulator)
    replaced = get_backend("aer")
    assert replaced is not original and isinstance(replaced, LabSimulator)


def test_backend_name_checks_a_name_without_creating_the_backend(clean_registry):
    import qhybrid_lab.backends.registry as registry

    register_backend("remote:", lambda name: LabSimulator(name))
    before = dict(registry._instances)
    assert backend_name(" Fake_Torino ") == "fake_torino" and backend_name("aer:mps") == "aer:mps"
    assert backend_name("remote:any-device") == "remote:any-device"  # a registered prefix resolves it later
    assert backend_name("pennylane:default.qubit") == "pennylane:default.qubit"
    assert registry._instances == before, "nothing was created"
    with pytest.raises(UnknownBackend, match="did you mean 'fake_torino'"):
        backend_name("fake_torin")
    with pytest.raises(UnknownBackend, match="non-empty string"):
        backend_name("  ")
    with pytest.raises(UnknownBackend):
        backend_name("remote:")
