"""User noise models for ``braket:local_dm:<name>``: Braket ``NoiseModel`` objects saved as JSON in the qhybrid home.

A noise model registered in the kernel must also reach the engine's worker processes and be recorded with the run,
so it is saved (``NoiseModel.to_dict()``) as ``$QHYBRID_HOME/braket-noise/<name>.json``; any process resolves
``braket:local_dm:<name>`` from that file, and the record's version names the model's hash.

Example:
    >>> from braket.circuits import Gate                                              # doctest: +SKIP
    >>> from braket.circuits.noise_model import GateCriteria, NoiseModel
    >>> from braket.circuits.noises import Depolarizing
    >>> register_braket_noise("depol", NoiseModel().add_noise(Depolarizing(0.01), GateCriteria(Gate.CNot)))
    'braket:local_dm:depol'
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..config import home_dir
from ..errors import InvalidJobSpec, UnknownBackend

NOISE_DIR = "braket-noise"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _directory() -> Path:
    return home_dir() / NOISE_DIR


def noise_names() -> list[str]:
    """The saved noise models' names (sorted)."""
    directory = _directory()
    return sorted(p.stem for p in directory.glob("*.json")) if directory.is_dir() else []


def register_braket_noise(name: str, noise_model: Any) -> str:
    """Save a Braket ``NoiseModel`` under ``name``; returns the backend name ``braket:local_dm:<name>``.

    Saving again under the same name replaces the model: the backend reads the file at every submission, so later
    runs use (and record the hash of) the new one.

    Raises:
        InvalidJobSpec: ``name`` is not lower-case letters, digits, ``_``, ``-`` or ``.``, or ``noise_model``
            is not a Braket ``NoiseModel``.
    """
    from braket.circuits.noise_model import NoiseModel

    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidJobSpec(f"a noise model name must be lower-case letters, digits, '_', '-' or '.', not {name!r}")
    if not isinstance(noise_model, NoiseModel):
        raise InvalidJobSpec(
            f"register_braket_noise needs a braket.circuits.noise_model.NoiseModel, not {type(noise_model).__name__}"
        )
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(noise_model.to_dict(), sort_keys=True), encoding="utf-8")
    temporary.replace(path)
    return f"braket:local_dm:{name}"


def load_noise(name: str) -> tuple[Any, str]:
    """``(NoiseModel, "sha256:...")`` of a saved model.

    Raises:
        UnknownBackend: No model of that name is saved (the message lists the saved ones).
    """
    from braket.circuits.noise_model import NoiseModel

    path = _directory() / f"{name}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(noise_names()) or "none yet"
        raise UnknownBackend(
            f"no Braket noise model '{name}' is saved (saved: {known}); save one with "
            f"qhybrid_lab.backends.braket_noise.register_braket_noise('{name}', noise_model)"
        ) from None
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return NoiseModel.from_dict(json.loads(text)), digest
