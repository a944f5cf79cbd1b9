"""Checks and summaries for scripts/test-wheel.sh: what a wheel holds, whether two wheels agree, what pip installed.

    python scripts/wheel_report.py describe WHEEL             the wheel's size and extension files (exit 1 if wrong)
    python scripts/wheel_report.py compare WHEEL_A WHEEL_B    same file list and contents (exit 1 if not)
    python scripts/wheel_report.py installed REPORT SITE SECONDS   pip's --report: each distribution, its size
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from importlib.metadata import distributions
from pathlib import Path

EXTENSION = "share/jupyter/labextensions/qhybrid-lab/"
"""Where the wheel's data puts the JupyterLab extension (under ``<name>-<version>.data/data/``)."""
REQUIRED = ("install.json", "package.json", "static/style.js")
"""Files the extension directory must hold, each exactly once."""
SERVER_CONFIG = "etc/jupyter/jupyter_server_config.d/qhybrid_lab.json"
"""The file that enables the server extension on install."""


def kib(size: float) -> str:
    """A byte count for people: ``184,549 B (180 KiB)`` style, in KiB or MiB."""
    return f"{size / 1024:,.0f} KiB" if size < 1024 ** 2 else f"{size / 1024 ** 2:,.1f} MiB"


def describe(wheel: Path) -> int:
    """Print the wheel's size and extension files; 1 unless each required file is there exactly once."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    data = [n.split(".data/data/", 1)[1] for n in names if ".data/data/" in n]
    extension = [n[len(EXTENSION):] for n in data if n.startswith(EXTENSION)]
    size = wheel.stat().st_size
    print(f"{wheel.name}: {size:,} B ({kib(size)}), {len(names)} files, {len(extension)} in the lab extension")
    problems = [f"{f}: {extension.count(f)} times" for f in REQUIRED if extension.count(f) != 1]
    problems += [] if data.count(SERVER_CONFIG) == 1 else [f"{SERVER_CONFIG}: {data.count(SERVER_CONFIG)} times"]
    for problem in problems:
        print(f"  wrong: {problem}")
    return 1 if problems else 0


def compare(first: Path, second: Path) -> int:
    """Print whether two wheels hold the same files with the same bytes; 1 if they differ."""
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        names_a, names_b = set(a.namelist()), set(b.namelist())
        differing = sorted(n for n in names_a & names_b if a.read(n) != b.read(n))
    only = sorted(names_a ^ names_b)
    if not only and not differing:
        print(f"identical: {len(names_a)} files, same bytes ({first.parent.name}/{first.name} and "
              f"{second.parent.name}/{second.name})")
        return 0
    for name in only:
        print(f"  only in {first if name in names_a else second}: {name}")
    for name in differing:
        print(f"  different contents: {name}")
    return 1


def installed(report: Path, site: Path, seconds: float) -> int:
    """Print what pip installed (pip's ``--report``), each distribution's size on disk, largest first."""
    items = json.loads(report.read_text())["install"]
    sizes = {}
    for dist in distributions(path=[str(site)]):
        name = dist.metadata["Name"].lower().replace("_", "-")
        sizes[name] = sum(f.size or 0 for f in dist.files or [])
    rows = []
    for item in items:
        name = item["metadata"]["name"].lower().replace("_", "-")
        rows.append((sizes.get(name, 0), item["metadata"]["name"], item["metadata"]["version"],
                     " (the wheel)" if item.get("is_direct") else ""))
    rows.sort(reverse=True)
    total = sum(size for size, *_ in rows)
    print(f"pip installed {len(rows)} distributions, {kib(total)} on disk, in {seconds:.0f} s:")
    for size, name, version, note in rows:
        print(f"  {kib(size):>10}  {name} {version}{note}")
    return 0 if rows else 1


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("describe").add_argument("wheel", type=Path)
    pair = commands.add_parser("compare")
    pair.add_argument("first", type=Path)
    pair.add_argument("second", type=Path)
    install = commands.add_parser("installed")
    install.add_argument("report", type=Path)
    install.add_argument("site", type=Path)
    install.add_argument("seconds", type=float)
    args = parser.parse_args(argv)
    if args.command == "describe":
        return describe(args.wheel)
    if args.command == "compare":
        return compare(args.first, args.second)
    return installed(args.report, args.site, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
