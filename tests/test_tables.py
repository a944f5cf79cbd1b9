"""Tests of the static tables: aligned text that fits a terminal, HTML in notebooks."""

from __future__ import annotations

from qhybrid_lab.tables import Table

DESCRIPTION = "Emulator of ibm_torino (133 qubits Heron) with its calibrated noise"


def test_the_last_column_wraps_under_itself_when_the_others_leave_it_room():
    table = Table(["name", "kind", "description"], [["fake_torino", "emulator", DESCRIPTION], ["aer", "simulator", None]])
    lines = table.text(60).splitlines()
    assert lines == [
        "name         kind       description",
        "fake_torino  emulator   Emulator of ibm_torino (133 qubits",
        "                        Heron) with its calibrated noise",
        "aer          simulator  –",
    ]


def test_the_last_column_goes_below_each_row_when_the_others_fill_the_width():
    wide = ["fake_strasbourg_xl", "emulator", "127", "free (device: $1.6/QPU s)", DESCRIPTION]
    caption = "1 backend (emulators run locally for free; the price in brackets is what the real device would cost)"
    table = Table(["name", "kind", "qubits", "price", "description"], [wide], caption=caption)
    lines = table.text(64).splitlines()
    assert all(len(line) <= 64 for line in lines), lines
    assert " ".join(lines[:2]) == caption  # the caption wraps too
    assert lines[2].split() == ["name", "kind", "qubits", "price"] and lines[3] == "    description"
    assert lines[4].startswith("fake_strasbourg_xl  emulator  127")
    assert " ".join(part.strip() for part in lines[5:]) == DESCRIPTION


def test_cells_show_on_one_line_and_wide_enough_tables_stay_one_line_per_row():
    table = Table(["job", "error"], [["3f2a9c1d", "backend failed:\n  line two\tand three"]])
    assert table.text(200).splitlines() == ["job       error", "3f2a9c1d  backend failed: line two and three"]
    assert "\n  line two" in table._repr_html_()  # the HTML keeps the text as it was (escaped)
