"""RunOptions, the engine's contract for how a submission runs: frozen, validated, recorded as JSON."""

from __future__ import annotations

import dataclasses
import json

import pytest

from qhybrid_lab.errors import InvalidJobSpec
from qhybrid_lab.jobs.options import RunOptions


def test_run_options_are_frozen_and_changed_only_by_validated_copies():
    options = RunOptions(shots=2000, seed=7, tags=["a"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.shots = 10  # type: ignore[misc]  # the point: it cannot be assigned
    changed = options.with_(shots=10, timeout=5)
    assert (options.shots, changed.shots, changed.seed, changed.timeout) == (2000, 10, 7, 5.0)
    assert options.tags == ("a",) and hash(options) == hash(RunOptions(shots=2000, seed=7, tags=("a",)))
    with pytest.raises(InvalidJobSpec, match="shots must be a positive integer, not -5"):
        options.with_(shots=-5)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("shots", True, "shots must be a positive integer"),
        ("seed", -1, "seed must be a non-negative integer"),
        ("optimization_level", 4, "optimization_level must be 0, 1, 2 or 3"),
        ("executor", "gpu", "executor must be one of"),
        ("timeout", float("nan"), "timeout must be a positive number of seconds"),
        ("on_timeout", "ignore", "on_timeout must be 'cancel' or 'keep'"),
        ("mode", "stream", "mode must be one of"),
        ("experiment", " ", "experiment must be a non-empty name"),
        ("mitigation", "zne-magic", "mitigation must be one of"),
        ("tags", [""], "tags must be at most"),
    ],
)
def test_every_field_is_validated_with_a_message_naming_it(field, value, message):
    with pytest.raises(InvalidJobSpec, match=message):
        RunOptions(**{field: value})


def test_the_record_form_is_json_with_every_field():
    record = RunOptions(tags=("x",), fallback=("aer",), timeout=3).as_record()
    assert set(record) == {f.name for f in dataclasses.fields(RunOptions)}
    assert json.loads(json.dumps(record)) == record and record["tags"] == ["x"] and record["fallback"] == ["aer"]
