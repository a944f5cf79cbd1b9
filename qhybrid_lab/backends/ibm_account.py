"""The IBM Quantum account: which one is used, the ``QiskitRuntimeService`` built from it, and its errors in ours.

The account comes only from the vendor's standard places, exactly as ``QiskitRuntimeService()`` finds it: the
``QISKIT_IBM_TOKEN`` / ``QISKIT_IBM_URL`` / ``QISKIT_IBM_INSTANCE`` / ``QISKIT_IBM_CHANNEL`` variables, else the
default account saved in ``~/.qiskit/qiskit-ibm.json`` (``QiskitRuntimeService.save_account(...)``). Two
optional variables of ours select among saved accounts: ``QHYBRID_IBM_ACCOUNT`` (a saved account's name) and
``QHYBRID_IBM_INSTANCE`` (an instance CRN or name overriding the account's). Tokens are never stored by
qhybrid-lab and are removed from every message (:func:`secrets_in_use`, :func:`provider_error`).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from pathlib import Path
from typing import Any

from ..errors import (
    AccountNotConfigured,
    CredentialsRejected,
    MissingDependency,
    ProviderError,
    ProviderUnreachable,
    UnknownProviderJob,
)
from .remote import redact

ACCOUNT_ENV = "QHYBRID_IBM_ACCOUNT"
INSTANCE_ENV = "QHYBRID_IBM_INSTANCE"
VENDOR_ENV = (
    "QISKIT_IBM_TOKEN",
    "QISKIT_IBM_URL",
    "QISKIT_IBM_INSTANCE",
    "QISKIT_IBM_CHANNEL",
    "IAM_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
)
"""Variables that change which service a ``QiskitRuntimeService()`` talks to (part of the cache key)."""
INSTALL_HINT = 'pip install "qhybrid-lab[ibm]"'
HOW_TO_CONFIGURE = (
    "save one with QiskitRuntimeService.save_account(token=..., instance=..., set_as_default=True) "
    "(from qiskit_ibm_runtime), or set QISKIT_IBM_TOKEN (and QISKIT_IBM_INSTANCE, QISKIT_IBM_CHANNEL)"
)

_services: dict[str, Any] = {}
_lock = threading.Lock()


def sdk():
    """The ``qiskit_ibm_runtime`` module, or :class:`MissingDependency` naming the install line."""
    try:
        import qiskit_ibm_runtime
    except ImportError as exc:
        raise MissingDependency(f"IBM Quantum backends need qiskit-ibm-runtime: {INSTALL_HINT}") from exc
    return qiskit_ibm_runtime


def sdk_version() -> str:
    return str(getattr(sdk(), "__version__", ""))


def account_file() -> Path:
    """Where the SDK reads saved accounts (computed by qiskit-ibm-runtime when it was imported)."""
    sdk()
    from qiskit_ibm_runtime.accounts import management

    return Path(getattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", Path.home() / ".qiskit" / "qiskit-ibm.json"))


def _selection() -> dict[str, str | None]:
    return {"name": os.environ.get(ACCOUNT_ENV) or None, "instance": os.environ.get(INSTANCE_ENV) or None}


def account_label() -> str:
    """Which account is in use, in words (never the token): for messages and the device cache."""
    selection = _selection()
    if selection["name"]:
        where = f"saved account '{selection['name']}'"
    elif os.environ.get("QISKIT_IBM_TOKEN"):
        where = "the QISKIT_IBM_* environment variables"
    else:
        where = f"the default account saved in {account_file()}"
    if selection["instance"]:
        where += f", instance {selection['instance']}"
    return where


def _cache_key() -> str:
    values = {name: os.environ.get(name) for name in (ACCOUNT_ENV, INSTANCE_ENV, *VENDOR_ENV)}
    try:
        stat = account_file().stat()
        values["file"] = f"{stat.st_mtime_ns}:{stat.st_size}"
    except FileNotFoundError:
        values["file"] = None
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _saved_accounts() -> dict[str, dict]:
    """The saved accounts, read without creating the file (the SDK creates ``{}`` when it is missing)."""
    path = account_file()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AccountNotConfigured(
            f"the IBM Quantum account file {path} cannot be read ({exc}); fix it or {HOW_TO_CONFIGURE}"
        ) from None
    return data if isinstance(data, dict) else {}


def secrets_in_use() -> list[str]:
    """Every token the selected account may use: the ones to remove from messages."""
    found = [os.environ.get("QISKIT_IBM_TOKEN") or ""]
    found += [str(a.get("token") or "") for a in _saved_accounts().values() if isinstance(a, dict)]
    return [s for s in found if s]


def _require_account() -> None:
    """Refuse early, without touching ``~/.qiskit``, when no account can exist."""
    name = _selection()["name"]
    saved = _saved_accounts()
    if name:
        if name not in saved:
            raise AccountNotConfigured(
                f"{ACCOUNT_ENV}={name!r} names no saved IBM Quantum account in {account_file()}; save it with "
                f"QiskitRuntimeService.save_account(name={name!r}, token=..., instance=...) or unset {ACCOUNT_ENV}"
            )
        return
    if not os.environ.get("QISKIT_IBM_TOKEN") and not saved:
        raise AccountNotConfigured(f"no IBM Quantum account is configured: {HOW_TO_CONFIGURE}")


def runtime_service():
    """The ``QiskitRuntimeService`` of the selected account (one per account and settings per process).

    Raises:
        AccountNotConfigured: No account; the message says how to save one.
        CredentialsRejected: IBM Cloud refused the token.
        ProviderUnreachable: IBM Quantum (or IAM) could not be reached.
    """
    key = _cache_key()
    with _lock:
        if key in _services:
            return _services[key]
    _require_account()
    sdk()
    from qiskit_ibm_runtime import QiskitRuntimeService

    selection = _selection()
    kwargs = {k: v for k, v in selection.items() if v}
    try:
        service = QiskitRuntimeService(**kwargs)
    except Exception as exc:  # noqa: BLE001 - every SDK failure becomes one of our typed, redacted errors
        raise provider_error(exc, "connecting to IBM Quantum") from None
    with _lock:
        _services.setdefault(key, service)
        return _services[key]


def forget_services() -> None:
    """Drop the cached services (the next use connects again)."""
    with _lock:
        _services.clear()


# --- errors ----------------------------------------------------------------------------------------------
def _chain(exc: BaseException):
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]


UNAVAILABLE_STATUS = (502, 503, 504)
"""HTTP answers meaning the service is there but not serving (the SDK has already retried them)."""


def _is_unreachable(error: BaseException) -> bool:
    import requests

    if _status_code(error) in UNAVAILABLE_STATUS:
        return True
    return isinstance(
        error, (requests.ConnectionError, requests.Timeout, socket.gaierror, ConnectionError, TimeoutError)
    )


def _status_code(error: BaseException) -> int | None:
    """The HTTP status of an SDK error (``status_code``), or of the response a ``requests`` error carries."""
    code = getattr(error, "status_code", None)
    if not (isinstance(code, int) and code > 0):
        code = getattr(getattr(error, "response", None), "status_code", None)
    return code if isinstance(code, int) and code > 0 else None


def _is_rejection(error: BaseException) -> bool:
    """An IBM Cloud refusal of the token: 401/403 anywhere, or IAM's 400 for an unknown API key."""
    if type(error).__name__ == "IBMNotAuthorizedError":
        return True
    code = _status_code(error)
    if code in (401, 403):
        return True
    response = getattr(error, "http_response", None)
    url = str(getattr(response, "url", "") or "")
    return code == 400 and url.rstrip("/").endswith("/identity/token")


def _summary(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


def provider_error(exc: BaseException, action: str) -> ProviderError:
    """One of our provider errors for an SDK exception raised while doing ``action``; messages redacted.

    The SDK reports a refused token and a network failure alike (``InvalidAccountError("Unable to retrieve
    instances...")``); the real cause is in the ``__cause__`` / ``__context__`` chain, which decides here.
    """
    secrets = secrets_in_use()
    chain = list(_chain(exc))
    names = {type(e).__name__ for e in chain}
    root = chain[-1] if chain else exc
    if "AccountNotFoundError" in names:
        return AccountNotConfigured(
            redact(f"no IBM Quantum account found ({_summary(exc)}): {HOW_TO_CONFIGURE}", secrets)
        )
    if "RuntimeJobNotFound" in names:
        return UnknownProviderJob(
            redact(f"IBM Quantum has no job for that id visible to {account_label()} ({_summary(exc)})", secrets)
        )
    rejected = next((e for e in chain if _is_rejection(e)), None)
    if rejected is not None:
        return CredentialsRejected(
            redact(
                f"IBM Quantum refused the credentials of {account_label()} while {action} ({_summary(rejected)}); "
                f"check the API key (it may be revoked or expired) and the instance",
                secrets,
            )
        )
    unreachable = next((e for e in chain if _is_unreachable(e)), None)
    if unreachable is not None:
        return ProviderUnreachable(
            redact(
                f"IBM Quantum could not be reached while {action} ({_summary(unreachable)}); check the network, "
                f"any proxy settings and QISKIT_IBM_URL",
                secrets,
            )
        )
    detail = _summary(exc) if root is exc else f"{_summary(exc)}; cause: {_summary(root)}"
    return ProviderError(redact(f"IBM Quantum failed while {action}: {detail}", secrets))
