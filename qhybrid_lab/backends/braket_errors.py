"""Errors of boto3 and amazon-braket-sdk as qhybrid-lab provider errors, with every credential redacted."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from ..errors import (
    AccountNotConfigured,
    CredentialsRejected,
    DeviceUnavailable,
    ProviderError,
    ProviderUnreachable,
    UnknownProviderJob,
)
from .remote import redact

CONFIGURE = (
    "configure an AWS account the way boto3 finds it: `aws configure` (or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), and a region: AWS_DEFAULT_REGION or `aws configure set region`"
)
REJECTED_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "InvalidAccessKeyId",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "AuthFailure",
        "InvalidToken",
    }
)
"""Error codes that mean the service was reached and refused the keys (Braket, S3 and STS spell them differently)."""
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "InternalServiceException",
        "ServiceUnavailable",
        "SlowDown",
        "InternalError",
        "RequestTimeout",
    }
)
UNAVAILABLE_CODES = frozenset({"DeviceOfflineException", "DeviceRetiredException"})
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ACCESS_KEY_ID")


def known_secrets(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The credential values this process may hold (environment and any given), to remove from messages."""
    return tuple(v for v in (*(os.environ.get(n, "") for n in SECRET_VARIABLES), *extra) if v)


def provider_error(exc: BaseException, *, action: str, what: str, secrets: tuple[str, ...] = ()) -> ProviderError:
    """The provider error for an exception raised by boto3/botocore or the Braket SDK.

    Args:
        exc: What the SDK raised.
        action: What was being done, for the message ("submitting to braket:sv1").
        what: The resource concerned (a device or task ARN), for not-found errors.
        secrets: Credential values to remove, in addition to the environment's.
    """
    import botocore.exceptions as boto

    secrets = known_secrets(secrets)

    def clean(text: object) -> str:
        return redact(str(text), secrets)

    if isinstance(exc, boto.NoRegionError):
        return AccountNotConfigured(
            f"{action}: no AWS region is configured; set AWS_DEFAULT_REGION "
            "(e.g. us-east-1) or run `aws configure set region us-east-1`"
        )
    if isinstance(exc, (boto.NoCredentialsError, boto.PartialCredentialsError, boto.ProfileNotFound)):
        return AccountNotConfigured(f"{action}: no usable AWS credentials ({clean(exc)}); {CONFIGURE}")
    if isinstance(exc, (boto.ConnectionError, boto.HTTPClientError)):
        return ProviderUnreachable(
            f"{action}: Amazon Braket could not be reached ({clean(exc)}); check the "
            "network and any AWS_ENDPOINT_URL_BRAKET / AWS_ENDPOINT_URL_S3 settings"
        )
    if isinstance(exc, boto.ClientError):
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "")), clean(error.get("Message", "") or exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in REJECTED_CODES:
            return CredentialsRejected(
                f"{action}: AWS refused the configured credentials ({code}: {message}); "
                "check the keys, their Braket permissions and that a session token "
                "has not expired"
            )
        if code in UNAVAILABLE_CODES:
            return DeviceUnavailable(f"{action}: the device is not available ({code}: {message})")
        if code in ("ResourceNotFoundException", "NoSuchKey", "NoSuchBucket", "404"):
            if "quantum-task" in what:
                return UnknownProviderJob(
                    f"{action}: Amazon Braket has no quantum task {what} that this account can see ({code}: {message})"
                )
            return DeviceUnavailable(f"{action}: Amazon Braket has no device {what} in this region ({code}: {message})")
        if code in TRANSIENT_CODES or (isinstance(status, int) and status >= 500):
            return ProviderUnreachable(f"{action}: Amazon Braket is unavailable for now ({code}: {message})")
        return ProviderError(f"{action}: Amazon Braket refused the request ({code}: {message})")
    if isinstance(exc, boto.BotoCoreError):
        return ProviderError(f"{action}: {type(exc).__name__}: {clean(exc)}")
    return ProviderError(f"{action}: {type(exc).__name__}: {clean(exc)}")


@contextlib.contextmanager
def mapped_errors(action: str, what: str = "", secrets: tuple[str, ...] = ()) -> Iterator[None]:
    """Turn SDK and boto3 exceptions raised inside into provider errors (qhybrid-lab's own pass through)."""
    import botocore.exceptions as boto

    from ..errors import QHybridError

    try:
        yield
    except QHybridError:
        raise
    except (boto.BotoCoreError, boto.ClientError) as exc:
        raise provider_error(exc, action=action, what=what, secrets=secrets) from None
