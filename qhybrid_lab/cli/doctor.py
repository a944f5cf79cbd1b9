"""``qhybrid doctor``: where the home and run log are and their state, which engines live, whether the Jupyter
extensions are enabled, which SDKs are there; exit 1 when something is broken.

The extensions are judged as Jupyter itself does, in this process, so it works from a wheel install without the
``jupyter`` commands on PATH: the server extension from ``jpserver_extensions`` merged over the Jupyter config path
(``jupyter_server``'s own ``ExtensionConfigManager``, front of the path first, as ``ServerApp`` reads it) and
validated by importing its entry point; the lab extension from JupyterLab's ``get_federated_extensions`` and
``get_page_config`` (the ``disabledExtensions`` every config level sets).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path
from typing import Any

from ..errors import RunLogError
from ..extras import install_line
from ..status import JobStatus
from .common import FAILED, OK, Output, home_of, open_log

SERVER_EXTENSION = "qhybrid_lab"
LAB_EXTENSION = "qhybrid-lab"

SDKS: tuple[tuple[str, str, str | None], ...] = (
    ("qiskit", "qiskit", None),
    ("qiskit-aer", "qiskit_aer", None),
    ("qiskit-ibm-runtime", "qiskit_ibm_runtime", None),
    ("pennylane", "pennylane", install_line("pennylane")),
    ("amazon-braket-sdk", "braket.aws", install_line("braket")),
    ("dask", "dask", install_line("dask")),
    ("mthree", "mthree", "pip install mthree"),
)
"""(distribution, module, install line): install line None for the SDKs qhybrid-lab requires."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``doctor`` to the ``qhybrid`` parser."""
    doctor = commands.add_parser(
        "doctor",
        parents=[common],
        help="check the home, run log, engines, Jupyter extensions and SDKs",
        description="Where the home and the run log are, the log's size, records and compaction state, the "
        "engines' heartbeats and which are alive, whether the Jupyter server extension and the "
        "JupyterLab extension are enabled, which SDKs are installed. Exits 1 when something is broken "
        "(a damaged log, an extension not enabled, a required SDK missing).",
    )
    doctor.add_argument(
        "--import-sdks",
        action="store_true",
        help="import every installed SDK to prove it loads (slower: seconds per SDK).",
    )
    doctor.set_defaults(handler=run_doctor, parser=doctor)


def home_state(args: argparse.Namespace) -> dict:
    """The home directory: path, where it came from, whether it exists and is writable."""
    given = home_of(args)
    if given is not None:
        path, source = given, "--home"
    elif os.environ.get("QHYBRID_HOME"):
        path, source = Path(os.environ["QHYBRID_HOME"]).expanduser(), "$QHYBRID_HOME"
    else:
        from jupyter_core.paths import jupyter_data_dir

        path, source = Path(jupyter_data_dir()) / "qhybrid-lab", "the Jupyter data dir"
    return {
        "path": str(path),
        "source": source,
        "exists": path.is_dir(),
        "writable": path.is_dir() and os.access(path, os.W_OK),
    }


def log_state(args: argparse.Namespace, report: dict) -> None:
    """The run log's file, records and compaction state, and the engines' heartbeats; problems when damaged."""
    try:
        log = open_log(args)
        active = log.active()  # first: it settles the jobs of engines that stopped (which the counts then show)
        stats = log.storage_stats()
        by_status = {s.value: n for s in JobStatus if (n := log.count(status=s.value))}
        engines = log.owner_states()
    except RunLogError as error:  # RunLogCorrupt names the file and the line
        report["log"] = {"error": str(error)}
        report["problems"].append(f"run log: {error}")
        return
    report["log"] = {**stats, "records": sum(by_status.values()), "by_status": by_status}
    if stats["leftovers"]:
        report["warnings"].append(
            f"leftovers of killed compactions beside the log ({', '.join(stats['leftovers'])})"
            "; the next compaction removes them"
        )
    if stats["torn"]:
        report["warnings"].append(
            f"writes cut short by killed writers were moved aside ({', '.join(stats['torn'])});"
            " they were never confirmed to anyone"
        )
    from ..runlog.owners import responsible_owner

    for engine in engines:
        engine["active_jobs"] = sum(1 for r in active if responsible_owner(r) == engine["owner"])
    report["engines"] = engines


def server_extension() -> dict:
    """Whether Jupyter Server loads ``qhybrid_lab``: enabled in the merged config, and its entry point imports."""
    from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyter_server.extension.manager import ExtensionPackage

    paths = jupyter_config_path()
    if jupyter_config_dir() not in paths:  # as ServerApp.config_file_paths
        paths.insert(0, jupyter_config_dir())
    enabled = bool(ExtensionConfigManager(read_config_path=paths).get_jpserver_extensions().get(SERVER_EXTENSION))
    set_in = [
        p for p in paths if SERVER_EXTENSION in ExtensionConfigManager(read_config_path=[p]).get_jpserver_extensions()
    ]
    state: dict[str, Any] = {"name": SERVER_EXTENSION, "enabled": enabled, "configured_in": set_in}
    try:
        package = ExtensionPackage(name=SERVER_EXTENSION, enabled=True)
        state["loads"] = bool(package.validate())
        state["version"] = package.version
    except Exception as error:  # noqa: BLE001 - whatever stops Jupyter loading it is the finding
        state["loads"], state["error"] = False, f"{type(error).__name__}: {error}"
    return state


def lab_extension() -> dict:
    """Whether JupyterLab shows the sidebar: the prebuilt extension is installed and no config level disables it."""
    from jupyter_core.paths import jupyter_path

    paths = jupyter_path("labextensions")
    state: dict[str, Any] = {"name": LAB_EXTENSION, "search_path": paths}
    try:
        from jupyterlab_server.config import get_federated_extensions, get_page_config
    except ImportError:
        found = [p for p in paths if (Path(p) / LAB_EXTENSION / "package.json").is_file()]
        return {
            **state,
            "installed": bool(found),
            "enabled": None,
            "jupyterlab": False,
            "path": found[0] if found else None,
        }
    extension = get_federated_extensions(paths).get(LAB_EXTENSION)
    settings = _app_settings_dir()
    disabled = [
        name
        for name in get_page_config(paths, settings).get("disabledExtensions", [])
        if name == LAB_EXTENSION or name.startswith(LAB_EXTENSION + ":")
    ]
    state.update(
        {
            "jupyterlab": True,
            "installed": extension is not None,
            "disabled": disabled,
            "enabled": extension is not None and LAB_EXTENSION not in disabled,
        }
    )
    if extension is not None:
        state.update({"version": extension["version"], "path": extension["ext_path"]})
    return state


def _app_settings_dir() -> str | None:
    """JupyterLab's application settings dir (its lowest-priority page config), if JupyterLab is installed."""
    try:
        from jupyterlab.commands import get_app_dir
    except ImportError:
        return None
    return os.path.join(get_app_dir(), "settings")


def sdk_states(*, import_them: bool) -> list[dict]:
    """Each SDK: installed version (distribution metadata), whether its module can be found (or imported)."""
    out = []
    for dist, module, install in SDKS:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = None
        try:
            importable = version is not None and importlib.util.find_spec(module) is not None
        except ImportError:
            importable = False
        state = {
            "name": dist,
            "module": module,
            "version": version,
            "importable": importable,
            "required": install is None,
            "install": install or f"pip install {dist}",
        }
        if import_them and importable:
            try:
                importlib.import_module(module)
            except Exception as error:  # noqa: BLE001 - an SDK that breaks on import is the finding
                state["importable"], state["error"] = False, f"{type(error).__name__}: {error}"
        out.append(state)
    return out


def judge(report: dict) -> None:
    """Add the problems (exit 1) and warnings of the extension and SDK findings to the report."""
    from .. import __version__

    server, lab = report["server_extension"], report["lab_extension"]
    if not server["enabled"]:
        report["problems"].append(
            "the Jupyter server extension qhybrid_lab is not enabled: jupyter server extension enable qhybrid_lab"
        )
    elif not server.get("loads"):
        report["problems"].append(f"the Jupyter server extension qhybrid_lab does not load: {server.get('error')}")
    if not lab["jupyterlab"]:
        report["warnings"].append(
            'JupyterLab is not installed here, so there is no sidebar: pip install "qhybrid-lab[lab]"'
        )
    elif not lab["installed"]:
        report["problems"].append(
            "the JupyterLab extension qhybrid-lab is not installed in any of "
            f"{', '.join(lab['search_path'])}: pip install --force-reinstall qhybrid-lab"
        )
    elif not lab["enabled"] or lab["disabled"]:
        report["problems"].append(
            f"the JupyterLab extension is disabled ({', '.join(lab['disabled'])}): "
            "jupyter labextension enable qhybrid-lab"
        )
    elif lab.get("version") != __version__:
        report["warnings"].append(
            f"the JupyterLab extension is version {lab.get('version')} but the package is "
            f"{__version__}: reinstall qhybrid-lab so both match"
        )
    for sdk in report["sdks"]:
        if sdk["required"] and not sdk["importable"]:
            report["problems"].append(
                f"{sdk['name']} is required but {sdk.get('error') or 'not installed'}: pip install {sdk['name']}"
            )
        elif sdk.get("error"):
            report["problems"].append(
                f"{sdk['name']} {sdk['version']} is installed but fails to import: {sdk['error']}"
            )


def diagnose(args: argparse.Namespace) -> dict:
    """Every finding, with ``problems``, ``warnings`` and ``ok`` (no problems)."""
    report: dict[str, Any] = {"problems": [], "warnings": [], "home": home_state(args)}
    log_state(args, report)
    report["server_extension"] = server_extension()
    report["lab_extension"] = lab_extension()
    report["sdks"] = sdk_states(import_them=args.import_sdks)
    judge(report)
    report["ok"] = not report["problems"]
    return report


def _log_line(log: dict) -> str:
    if "error" in log:
        return f"DAMAGED OR UNREADABLE: {log['error']}"
    states = ", ".join(f"{n} {state}" for state, n in log["by_status"].items()) or "none"
    due = "due" if log["compaction_due"] else "not due"
    return (
        f"{log['file']}: {log['bytes']} bytes, {log['records']} records ({states}), "
        f"{log['superseded_lines']} superseded lines (compaction {due})"
    )


def _engine_line(engine: dict) -> str:
    state = "alive" if engine["alive"] else "gone"
    return f"{engine['owner']} {state} (beat {engine['age']:.0f} s ago, {engine.get('active_jobs', 0)} active jobs)"


def report_text(report: dict) -> str:
    """The report for people: one line per part, then the problems and warnings."""
    home, server, lab = report["home"], report["server_extension"], report["lab_extension"]
    rows = [
        (
            "home",
            f"{home['path']} (from {home['source']}), "
            + (
                "writable"
                if home["writable"]
                else "read-only: jobs cannot be submitted here"
                if home["exists"]
                else "does not exist"
            ),
        ),
        ("run log", _log_line(report.get("log") or {"error": "not read"})),
    ]
    engines = report.get("engines")
    if engines is not None:
        rows.append(("engines", "; ".join(map(_engine_line, engines)) or "no heartbeats"))
    loads = "loads" if server.get("loads") else f"does not load ({server.get('error')})"
    rows.append(
        (
            "server ext",
            f"{server['name']} {'enabled' if server['enabled'] else 'NOT ENABLED'}, {loads}"
            + (f", set in {', '.join(server['configured_in'])}" if server["configured_in"] else ""),
        )
    )
    if not lab["jupyterlab"]:
        rows.append(("lab ext", "JupyterLab is not installed"))
    elif lab["installed"]:
        rows.append(
            (
                "lab ext",
                f"{lab['name']} {lab['version']} {'enabled' if lab['enabled'] else 'DISABLED'}, in {lab['path']}",
            )
        )
    else:
        rows.append(("lab ext", f"{lab['name']} NOT INSTALLED"))
    rows.append(
        (
            "SDKs",
            ", ".join(
                f"{s['name']} {s['version']}" if s["importable"] else f"{s['name']} missing ({s['install']})"
                for s in report["sdks"]
            ),
        )
    )
    lines = [f"{label:<11} {value}" for label, value in rows]
    lines += [f"PROBLEM     {p}" for p in report["problems"]] + [f"warning     {w}" for w in report["warnings"]]
    lines.append("ok: nothing is broken" if report["ok"] else f"{len(report['problems'])} problem(s)")
    return "\n".join(lines)


def run_doctor(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid doctor``: the report; exit 1 (and the first problem on stderr) when something is broken."""
    report = diagnose(args)
    out.emit(report, lambda: report_text(report))
    if report["problems"]:
        out.note(f"qhybrid: error: doctor found {len(report['problems'])} problem(s): {report['problems'][0]}")
        return FAILED
    return OK
