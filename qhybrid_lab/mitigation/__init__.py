"""Error mitigation applied to a job's counts, and recorded with exactly what was applied (see :mod:`.readout`)."""

from __future__ import annotations

from .readout import CALIBRATION_SHOTS, ReadoutMitigation, measured_qubits, mitigate_readout, mitigated_probabilities

__all__ = ["CALIBRATION_SHOTS", "ReadoutMitigation", "measured_qubits", "mitigate_readout", "mitigated_probabilities"]
