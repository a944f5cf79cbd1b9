"""One hierarchy of typed errors. Each also inherits the builtin it resembles.

The server maps these to HTTP in one place (``server/errors.py``); the magics turn them into
``UsageError`` messages. Messages say what was wrong and what to do about it.
"""

from __future__ import annotations

import concurrent.futures


class QHybridError(Exception):
    """Base of every error qhybrid-lab raises on purpose."""


class InvalidJobSpec(QHybridError, ValueError):
    """The request itself is wrong (shots, options, circuits); nothing was submitted."""


class InvalidObservable(InvalidJobSpec):
    """An observable cannot be measured on the circuit: a bad Pauli label, wider than the circuit, not Hermitian."""


class NoCircuits(InvalidJobSpec):
    """A cell or call produced no circuit to run."""


class NotComparable(InvalidJobSpec):
    """Two runs cannot be compared (different circuits, a sweep and a single run, no common sweep point); says why."""


class UnsupportedObject(InvalidJobSpec, TypeError):
    """An object that is not a circuit (nor a collection of circuits, nor a QNode/tape)."""


class CircuitTooWide(InvalidJobSpec):
    """A circuit needs more qubits than the backend has."""


class MitigationUnavailable(InvalidJobSpec):
    """The backend cannot apply (or does not need) the error mitigation asked for; nothing was submitted."""


class UnknownBackend(QHybridError, LookupError):
    """No backend is registered under that name. The message lists the closest names."""


class MissingDependency(QHybridError, ImportError):
    """An optional SDK is not installed; the message names the pip extra to install."""


class BudgetExceeded(QHybridError):
    """The cost guard refused a submission; it was recorded as ``blocked``, nothing was submitted."""


class UnknownJob(QHybridError, LookupError):
    """No job with that id (or id prefix) in the run log."""


class UnknownExperiment(QHybridError, LookupError):
    """No experiment of that name in the run log."""


class AmbiguousJobId(UnknownJob):
    """An id prefix matches several jobs."""


class UnknownBudget(QHybridError, LookupError):
    """There is no budget for that period (and backend) to remove."""


class RunLogError(QHybridError, OSError):
    """The run log could not be read or written."""


class RunLogCorrupt(RunLogError):
    """The run log file is damaged. It is never overwritten; the message names the file and the line."""


class BackendError(QHybridError, RuntimeError):
    """A backend failed permanently; the job fails with this message."""


class TransientBackendError(BackendError):
    """A backend failed in a way worth retrying (with backoff)."""


class ProviderError(BackendError):
    """A quantum provider (IBM Quantum, Amazon Braket) refused or failed a request; the message says why and what to do."""


class ProviderUnreachable(ProviderError, TransientBackendError):
    """The provider's service could not be reached (network, endpoint); worth retrying after checking for a duplicate."""


class AccountNotConfigured(ProviderError):
    """No account or credentials are configured for the provider; the message says how to configure them."""


class CredentialsRejected(ProviderError):
    """The provider reached refused the configured token or keys (distinct from an unreachable service)."""


class DeviceUnavailable(ProviderError):
    """The device is offline, retired or not available to this account."""


class UnknownProviderJob(ProviderError, LookupError):
    """The provider has no job with that id (or this account cannot see it)."""


class JobFailed(QHybridError, RuntimeError):
    """Raised by ``result()`` of a job that failed or was blocked/interrupted."""


class JobCancelled(QHybridError, concurrent.futures.CancelledError):
    """Raised by ``result()`` of a job that was cancelled."""


class JobNotFinished(QHybridError, concurrent.futures.InvalidStateError):
    """A job's result was asked for while it is still pending, queued or running; the message says where it is."""
