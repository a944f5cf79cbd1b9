"""Price models of providers and devices, their sources and dates, user overrides, and cost estimates.

The packaged ``prices.json`` lists published prices; ``$QHYBRID_HOME/prices.json`` (same format) overrides
fields of existing entries or adds new ones. Keys are ``"<provider>:<device>"``; ``"ibm:default"`` applies
to any IBM device without an entry of its own.

How a hardware-equivalent cost is estimated for an emulated IBM device (IBM bills QPU seconds)::

    qpu_seconds = IBM_JOB_OVERHEAD_SECONDS + shots * (circuit_duration + rep_delay)
    cost        = per_task + per_shot * shots + per_second * max(qpu_seconds, min_seconds)

``circuit_duration`` is the transpiled circuit's critical path from the device's instruction durations
(``QuantumCircuit.estimate_duration``), ``rep_delay`` the device's default repetition delay (250 µs on most
devices), ``shots`` the executions (shots × sweep points), and the overhead a fixed per-job cost calibrated on
IBM's own example (a 2-qubit Bell circuit at 4096 shots is estimated at 4.1 quantum seconds by the service's
``job.usage_estimation``: 4096 × ~255 µs ≈ 1.05 s, the rest overhead).

Compared (2026-12, offline: from the project's provider notes, not re-read on IBM's site) with IBM's documented
rules of thumb, "about 2 s per sub-job plus (rep_delay + circuit duration) × executions" and the simpler
"2 + 0.00035 × executions" seconds: for that Bell job on a 250 µs device they give 3.04 s and 3.43 s, this
formula 4.04 s, the service's own estimate 4.11 s. The 3 s overhead is kept: it matches what IBM's service
estimates, and the cost guard reserves the estimate before submission, so erring a second high (USD 1.60 at
Pay-As-You-Go) is the safe side. One sub-job is assumed (IBM splits very large jobs). Once a job is done,
``qhybrid_lab.backends.ibm`` gives the actual cost from the usage IBM reports.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import home_dir
from ..errors import InvalidJobSpec

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from ..backends.base import Backend

PACKAGED_PRICES = Path(__file__).with_name("prices.json")
OVERRIDE_FILENAME = "prices.json"
IBM_JOB_OVERHEAD_SECONDS = 3.0
"""Fixed QPU seconds per job on IBM devices (IBM documents about 2 s; see the module docstring for why 3)."""
DEFAULT_REP_DELAY_SECONDS = 250e-6
"""Repetition delay between shots when a device does not state its own."""


@dataclass(frozen=True)
class PriceModel:
    """How a provider charges for one job on one device.

    Attributes:
        provider: ``"ibm"``, ``"braket"``, ``"aer"``, ...
        device: Device name as the provider spells it (or ``"default"``).
        currency: ISO currency code of every rate.
        per_task: Fixed charge per job (task).
        per_shot: Charge per shot.
        per_second: Charge per second of QPU time.
        min_seconds: Minimum billed QPU seconds per job (when ``per_second`` is set).
        source: Where the rates come from (page and plan).
        date: When the rates were taken from the source.
    """

    provider: str
    device: str
    currency: str = "USD"
    per_task: float = 0.0
    per_shot: float = 0.0
    per_second: float = 0.0
    min_seconds: float = 0.0
    source: str = ""
    date: str = ""

    def estimate(self, shots: int, seconds: float = 0.0) -> float:
        """Cost of one job of ``shots`` shots taking ``seconds`` QPU seconds.

        Example:
            >>> PriceModel("braket", "iqm_garnet", per_task=0.3, per_shot=0.00145).estimate(1000)
            1.75
        """
        billed_seconds = max(seconds, self.min_seconds) if self.per_second else 0.0
        return round(self.per_task + self.per_shot * shots + self.per_second * billed_seconds, 6)

    @property
    def is_free(self) -> bool:
        """Whether every rate is zero."""
        return not (self.per_task or self.per_shot or self.per_second)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (the form stored in run records)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "price table") -> PriceModel:
        """Build from a dict, refusing unknown fields and negative or non-numeric rates.

        Raises:
            InvalidJobSpec: The entry is malformed (the message names ``where`` and the field).
        """
        if not isinstance(data, dict):
            raise InvalidJobSpec(f"{where}: a price model must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidJobSpec(f"{where}: unknown field(s) {unknown}; allowed: {sorted(known)}")
        for name in ("provider", "device"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise InvalidJobSpec(f"{where}: field {name!r} must be a non-empty string")
        for name in ("per_task", "per_shot", "per_second", "min_seconds"):
            value = data.get(name, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InvalidJobSpec(f"{where}: field {name!r} must be a number >= 0, got {value!r}")
        return cls(**data)


def _read_table(path: Path) -> dict[str, dict[str, Any]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidJobSpec(f"{path} is not valid JSON ({exc}); fix or remove it") from exc
    models = document.get("models") if isinstance(document, dict) else None
    if not isinstance(models, dict):
        raise InvalidJobSpec(f'{path} must be a JSON object with a "models" object keyed by "provider:device"')
    return models


_packaged: dict[str, dict[str, Any]] | None = None
_table_cache: tuple[tuple[str, int, int] | None, dict[str, PriceModel]] | None = None


def price_table() -> dict[str, PriceModel]:
    """Every known price model: the packaged ``prices.json`` with ``$QHYBRID_HOME/prices.json`` merged in.

    An override entry with an existing key replaces only the fields it gives; a new key adds an entry
    (then ``provider`` and ``device`` are required). The result is cached until the override file changes.

    Raises:
        InvalidJobSpec: The override file is not valid JSON or an entry is malformed.
    """
    global _packaged, _table_cache
    if _packaged is None:
        _packaged = _read_table(PACKAGED_PRICES)
    override = home_dir() / OVERRIDE_FILENAME
    try:
        stat = override.stat()
        stamp: tuple[str, int, int] | None = (str(override), stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        stamp = None
    if _table_cache is not None and _table_cache[0] == stamp:
        return dict(_table_cache[1])
    merged = {key: dict(entry) for key, entry in _packaged.items()}
    if stamp is not None:
        for key, entry in _read_table(override).items():
            if not isinstance(entry, dict):
                raise InvalidJobSpec(f"{override}: entry {key!r} must be a JSON object")
            merged.setdefault(key, {}).update(entry)
    table = {}
    for key, entry in merged.items():
        where = f"{override} entry {key!r}" if stamp is not None else f"{PACKAGED_PRICES} entry {key!r}"
        table[key] = PriceModel.from_dict(entry, where=where)
    _table_cache = (stamp, table)
    return dict(table)


def lookup_price(provider: str, device: str) -> PriceModel | None:
    """The model for ``provider:device``, else ``provider:default``, else ``None``."""
    table = price_table()
    return table.get(f"{provider}:{device}") or table.get(f"{provider}:default")


def estimate_qpu_seconds(circuit: QuantumCircuit, backend: Backend, shots: int) -> float:
    """QPU seconds one job would take on the real device (formula in the module docstring)."""
    from qiskit.exceptions import QiskitError

    try:
        duration = float(circuit.estimate_duration(backend.target(), unit="s"))
    except (QiskitError, KeyError, TypeError):
        duration = 0.0  # an instruction without a duration: the repetition delay dominates anyway
    rep_delay = getattr(backend, "rep_delay_seconds", None) or DEFAULT_REP_DELAY_SECONDS
    return IBM_JOB_OVERHEAD_SECONDS + shots * (duration + rep_delay)


def estimate_cost(backend: Backend, transpiled_circuit: QuantumCircuit, shots: int) -> dict[str, Any]:
    """The run record's ``"cost"`` fields for one circuit on ``backend``.

    Returns:
        ``currency``, ``estimate`` (real money: 0 for local simulators and emulators), ``actual`` (``None``
        until a provider reports it), ``hardware_equivalent`` (what the real device would cost, ``None``
        without one), ``price_model`` and ``hardware_price_model`` (as dicts) and ``qpu_seconds`` (the
        estimated QPU time for per-second models, else ``None``). ``counted`` and ``rehearsal`` are set by
        the cost guard.
    """
    model = backend.price_model()
    hardware = backend.hardware_price_model()
    seconds = None
    if model.per_second or (hardware is not None and hardware.per_second):
        seconds = round(estimate_qpu_seconds(transpiled_circuit, backend, shots), 6)
    return {
        "currency": model.currency,
        "estimate": model.estimate(shots, seconds or 0.0),
        "actual": None,
        "hardware_equivalent": hardware.estimate(shots, seconds or 0.0) if hardware is not None else None,
        "price_model": model.as_dict(),
        "hardware_price_model": hardware.as_dict() if hardware is not None else None,
        "qpu_seconds": seconds,
    }
