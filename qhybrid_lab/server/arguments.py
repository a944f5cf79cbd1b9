"""Reading a request's query arguments and JSON body with limits: every bad input is a :class:`BadRequest` (400).

Rules, the same for every route (docs/architecture.md, "Server REST API"):

- A query parameter a route does not know is refused, naming the ones it knows (``token`` and ``_xsrf``, which
  Jupyter's authentication reads, are always allowed, and so is the bare ``?<milliseconds>`` JupyterLab's
  ``ServerConnection`` appends to every GET against caches). An empty value counts as not given.
- A parameter listed as repeatable may be given several times and/or comma-separated (the values add up); any
  other parameter given more than once is refused.
- Values are at most :data:`MAX_VALUE_CHARS` characters, at most :data:`MAX_VALUES` per parameter; integers are
  plain decimal digits within the route's bounds; times are finite non-negative decimal numbers.
- A body is at most :data:`MAX_BODY_BYTES` (413 above), UTF-8 JSON, nested at most :data:`MAX_DEPTH` deep, with
  no duplicate keys, no ``NaN``/``Infinity``, and numbers of at most :data:`MAX_DIGITS` digits.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .errors import BadRequest, PayloadTooLarge

QueryArgs = Mapping[str, Sequence[str]]
"""Query arguments as tornado gives them: name → every value given (``?status=a&status=b``)."""

AUTH_PARAMETERS = frozenset({"token", "_xsrf"})
"""Read by Jupyter's authentication, allowed on every route."""

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 8
MAX_DIGITS = 18
MAX_NUMBER = 1e15
MAX_VALUE_CHARS = 256
MAX_VALUES = 64
MAX_OFFSET = 10**9
MAX_EPOCH = 1e11
"""The latest time accepted (epoch seconds, year 5138)."""

_INTEGER = re.compile(r"-?[0-9]{1,12}")
_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?")


def _short(value: str, length: int = 60) -> str:
    return repr(value if len(value) <= length else value[:length] + "…")


def _cache_buster(name: str, given: Sequence[str]) -> bool:
    """JupyterLab's ``ServerConnection`` adds ``?<milliseconds>`` (a bare number, no value) to every GET."""
    return name.isdigit() and len(name) <= 16 and all(v == "" for v in given)


def check_known(args: QueryArgs, route: str, known: Iterable[str]) -> None:
    """Refuse query parameters ``route`` does not take."""
    allowed = set(known)
    unknown = sorted(name for name in set(args) - allowed - AUTH_PARAMETERS if not _cache_buster(name, args[name]))
    if unknown:
        expected = ", ".join(sorted(allowed)) or "none"
        raise BadRequest(
            f"{route} does not take the query parameter(s) {', '.join(_short(u) for u in unknown)}; "
            f"it takes: {expected}"
        )


def values(args: QueryArgs, name: str) -> list[str]:
    """Every value of a repeatable parameter, comma-separated lists split, empty ones dropped."""
    out: list[str] = []
    for raw in args.get(name, ()):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    if len(out) > MAX_VALUES:
        raise BadRequest(f"{name} takes at most {MAX_VALUES} values, got {len(out)}")
    for value in out:
        _check_length(name, value)
    return out


def one(args: QueryArgs, name: str) -> str | None:
    """The value of a single-valued parameter (None when absent or empty); refused when given twice."""
    given = [v for v in args.get(name, ()) if v != ""]
    if len(given) > 1:
        raise BadRequest(f"{name} was given {len(given)} times; give it once")
    if not given:
        return None
    _check_length(name, given[0])
    return given[0]


def _check_length(name: str, value: str) -> None:
    if len(value) > MAX_VALUE_CHARS:
        raise BadRequest(f"{name} is at most {MAX_VALUE_CHARS} characters, got {len(value)}")


def integer(args: QueryArgs, name: str, default: int, *, lo: int = 0, hi: int = MAX_OFFSET) -> int:
    """A bounded integer parameter (plain decimal digits)."""
    raw = one(args, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw.strip()):
        raise BadRequest(f"{name} must be an integer between {lo} and {hi}, got {_short(raw)}")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadRequest(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def epoch(args: QueryArgs, name: str) -> float | None:
    """A time parameter: epoch seconds, a non-negative decimal number (None when absent)."""
    raw = one(args, name)
    if raw is None:
        return None
    if not _DECIMAL.fullmatch(raw.strip()) or float(raw) > MAX_EPOCH:
        raise BadRequest(
            f"{name} must be a time in epoch seconds (a number between 0 and {MAX_EPOCH:.0e}), got {_short(raw)}"
        )
    return float(raw)


def flag(args: QueryArgs, name: str) -> bool:
    """A boolean parameter: 1/true/yes or 0/false/no (absent: false)."""
    raw = one(args, name)
    if raw is None:
        return False
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise BadRequest(f"{name} must be 1 or 0 (true or false), got {_short(raw)}")


def choices(args: QueryArgs, name: str, allowed: Iterable[str]) -> list[str]:
    """A repeatable parameter whose values come from a closed list."""
    allowed = list(allowed)
    given = values(args, name)
    for value in given:
        if value not in allowed:
            raise BadRequest(f"unknown {name} {_short(value)}; expected one of {', '.join(allowed)}")
    return given


# -- bodies ---------------------------------------------------------------------------------------------------


def _number_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BadRequest(f"numbers in the body have at most {MAX_DIGITS} digits; got one of {len(text)}")
    return int(text)


def _number_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise BadRequest(f"numbers in the body must be finite and at most {MAX_NUMBER:.0e} in size, got {_short(text)}")
    return value


def _constant(name: str) -> None:
    raise BadRequest(f"{name} is not a number JSON allows; send a finite number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadRequest(f"the body gives the key {_short(key)} twice")
        out[key] = value
    return out


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_body(raw: bytes) -> Any:
    """The decoded JSON body (None when empty), within the limits of this module."""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body has {len(raw)} bytes; at most {MAX_BODY_BYTES} are accepted")
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the request body is not UTF-8 text: {error}") from None
    try:
        value = json.loads(
            text, parse_int=_number_int, parse_float=_number_float, parse_constant=_constant, object_pairs_hook=_object
        )
    except RecursionError:
        raise BadRequest(f"the request body nests arrays or objects more than {MAX_DEPTH} deep") from None
    except json.JSONDecodeError as error:
        raise BadRequest(f"the request body is not valid JSON: {error}") from None
    if _depth(value) > MAX_DEPTH:
        raise BadRequest(f"the request body nests arrays or objects more than {MAX_DEPTH} deep")
    return value
