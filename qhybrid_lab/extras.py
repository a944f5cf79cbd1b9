"""The optional SDKs: which pip extra of qhybrid-lab installs each, and the check that names its exact install line."""

from __future__ import annotations

import importlib.util

from .errors import MissingDependency

__all__ = ["install_line", "missing_modules", "require"]


def install_line(extra: str) -> str:
    """The command that installs an extra: ``pip install "qhybrid-lab[pennylane]"``."""
    return f'pip install "qhybrid-lab[{extra}]"'


def missing_modules(*modules: str) -> list[str]:
    """Those of ``modules`` that cannot be imported here (found without importing them)."""
    missing = []
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package missing, or a module without a spec
            found = False
        if not found:
            missing.append(module)
    return missing


def require(extra: str, *modules: str, what: str) -> None:
    """Raise MissingDependency naming ``what`` needs and the install line of ``extra`` unless ``modules`` import.

    Args:
        extra: the pip extra that installs them, e.g. ``"pennylane"``.
        modules: top-level modules to look for, e.g. ``"pennylane"``, ``"pennylane_lightning"``.
        what: the feature that needs them, e.g. ``"the backend 'pennylane:default.qubit'"``.
    """
    missing = missing_modules(*modules)
    if missing:
        raise MissingDependency(f"{what} needs {', '.join(missing)}, not installed here: {install_line(extra)}")
