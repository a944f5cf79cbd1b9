"""The benchmark command, ``python -m qhybrid_lab.bench``: every performance bar as a side-by-side ratio."""
