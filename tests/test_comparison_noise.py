"""The shot-noise statistics of comparisons against repeated real Aer samplings (fixed seeds, so deterministic).

Each test draws 200 pairs of samples with Aer and checks a frequency against its nominal value with a margin of
about 3 binomial standard deviations (for 200 trials at 95 %: σ ≈ 1.5 %), wide enough that the fixed seeds do not
decide the outcome, narrow enough that a wrong statistic fails: a verdict that always said "within" would give 100 %,
an interval without the bias correction covers far less.
"""

from __future__ import annotations

import math

import pytest

from qhybrid_lab.comparison import compare, shot_noise
from qhybrid_lab.comparison.noise import Z_CRITICAL, bonferroni_within
from test_comparison import make_record

REPS = 200
SHOTS = 1000


def _circuit(angles):
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(2)
    qc.ry(angles[0], 0)
    qc.ry(angles[1], 1)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _samples(angles, reps: int, seed: int) -> list[dict[str, int]]:
    """``reps`` independent Aer samplings of SHOTS shots each (one seeded batch; Aer seeds circuit i with seed + i)."""
    from qiskit_aer import AerSimulator

    qc = _circuit(angles)
    result = AerSimulator().run([qc] * reps, shots=SHOTS, seed_simulator=seed).result()
    return [result.get_counts(i) for i in range(reps)]


def _exact(angles) -> dict[str, float]:
    from qiskit.quantum_info import Statevector

    qc = _circuit(angles).remove_final_measurements(inplace=False)
    return Statevector(qc).probabilities_dict()


def _true_metrics(p: dict[str, float], q: dict[str, float]) -> tuple[float, float]:
    keys = set(p) | set(q)
    fidelity = sum(math.sqrt(p.get(k, 0) * q.get(k, 0)) for k in keys) ** 2
    return fidelity, 0.5 * sum(abs(p.get(k, 0) - q.get(k, 0)) for k in keys)


def test_samplings_are_independent():
    a = _samples((1.1, 0.6), 3, seed=11)
    assert a[0] != a[1] != a[2] and sum(a[0].values()) == SHOTS


def test_two_samples_of_one_distribution_are_within_shot_noise_about_95_percent_of_the_time(figures):
    # Given 200 pairs of Aer samplings of one circuit (4 outcomes, none rare)
    first, second = _samples((1.1, 0.6), REPS, seed=1000), _samples((1.1, 0.6), REPS, seed=50_000)
    # When each pair is compared
    verdicts = [shot_noise(a, b)["within"] for a, b in zip(first, second)]
    rate = sum(verdicts) / REPS
    figures(f"same distribution, {REPS} pairs of {SHOTS} shots: within shot noise {rate:.1%} (nominal 95%)")
    # Then "within shot noise" holds in about the nominal 95 % (not always: it is a test, not a rubber stamp)
    assert 0.90 <= rate <= 0.99


def test_different_distributions_are_beyond_shot_noise(figures):
    # Ry(1.1) vs Ry(1.3) on qubit 0: P(1) 0.27 vs 0.37, about 4.7 standard errors apart at 1000 shots
    first, second = _samples((1.1, 0.6), REPS, seed=2000), _samples((1.3, 0.6), REPS, seed=60_000)
    rate = sum(not shot_noise(a, b)["within"] for a, b in zip(first, second)) / REPS
    figures(f"Ry 1.1 vs 1.3, {REPS} pairs of {SHOTS} shots: beyond shot noise {rate:.1%}")
    assert rate >= 0.9


@pytest.mark.parametrize("metric", ["hellinger_fidelity", "total_variation_distance"])
def test_intervals_cover_the_true_metric_about_95_percent_of_the_time(metric, figures):
    # Given two different circuits whose true distributions are known exactly (Statevector)
    angles_a, angles_b = (1.1, 0.6), (1.5, 0.9)
    true_fidelity, true_tvd = _true_metrics(_exact(angles_a), _exact(angles_b))
    truth = true_fidelity if metric == "hellinger_fidelity" else true_tvd
    first, second = _samples(angles_a, REPS, seed=3000), _samples(angles_b, REPS, seed=70_000)
    # When each pair of samplings gives an interval
    intervals = [shot_noise(a, b)[f"{metric}_interval"] for a, b in zip(first, second)]
    coverage = sum(lo <= truth <= hi for lo, hi in intervals) / REPS
    width = sum(hi - lo for lo, hi in intervals) / REPS
    figures(f"{metric} {truth:.4f}: 95% interval covers it in {coverage:.1%} of {REPS} pairs (mean width {width:.4f})")
    # Then about 95 % of them hold the true value
    assert 0.90 <= coverage <= 0.99


def test_expectation_values_are_within_combined_standard_errors_about_95_percent_of_the_time():
    # <Z0> and its standard error from each sampling, as the run record stores them (ev_method "shots")
    first, second = _samples((1.1, 0.6), REPS, seed=4000), _samples((1.1, 0.6), REPS, seed=80_000)

    def record(counts):
        p1 = sum(v for k, v in counts.items() if k[-1] == "1") / SHOTS
        ev = 1 - 2 * p1
        se = math.sqrt((1 - ev**2) / SHOTS)
        return make_record(counts=counts, observables=[{"label": "Z0", "terms": [["IZ", 1.0]]}],
                           result={"counts": counts, "shots": SHOTS, "expectation_values": [ev],
                                   "standard_errors": [se], "ev_method": "shots"})

    within = [compare(record(a), record(b)).expectation_values[0]["within_shot_noise"] for a, b in zip(first, second)]
    assert 0.90 <= sum(within) / REPS <= 0.99


def test_shot_noise_is_reproducible_and_reports_its_method():
    a, b = {"00": 480, "11": 520}, {"00": 505, "11": 495}
    first, again = shot_noise(a, b), shot_noise(dict(reversed(list(a.items()))), b)
    assert first == again  # seeded from the counts, whatever their order
    assert first["method"] == "bootstrap" and first["resamples"] == 1000 and first["confidence"] == 0.95
    lo, hi = first["total_variation_distance_interval"]
    assert lo <= first["total_variation_distance"] <= hi and lo == 0.0  # near-equal: the interval reaches 0
    assert 0 < first["noise_tvd"] < 0.1 and first["within"]
    # many outcomes: fewer resamples, bounded memory
    wide = {format(i, "012b"): 1 for i in range(4000)}
    assert shot_noise(wide, wide)["resamples"] == 500


def test_bonferroni_over_a_sweep():
    assert bonferroni_within([0.5, 0.3, 0.02])  # 0.02 > 0.05 / 3? no: 0.0167 < 0.02, still within
    assert not bonferroni_within([0.5, 0.01])
    assert Z_CRITICAL == pytest.approx(1.96, abs=1e-3)
