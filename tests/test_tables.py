"""Tests of the static tables: aligned text that fits a terminal, HTML in notebooks."""

from __future__ import annotations

import re

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


def test_html_tables_keep_dollar_signs_from_mathjax_and_wrap_inside_the_cell():
    from qhybrid_lab.tables import Table

    reason = "would cost $5.00 with $0.00 committed to active jobs, over the $0.01 total budget"
    html = Table(["job", "error"], [["ab12", reason]], caption="1 of 1 job(s)")._repr_html_()
    # JupyterLab typesets rendered HTML; these classes tell MathJax to leave the table alone
    assert "tex2jax_ignore" in html and "mathjax_ignore" in html and reason in html
    assert "overflow-wrap:anywhere" in html and "max-width:100%" in html
    # only the message wraps: the id (and a backend, a status) keep their words whole
    cells = re.findall(r"<td style='([^']*)'>([^<]*)</td>", html)
    assert [(text, "nowrap" in style) for style, text in cells] == [("ab12", True), (reason, False)]


def test_money_and_times_are_written_one_way():
    from qhybrid_lab.tables import money, seconds

    assert [money(0), money(1234.5), money(-0.25), money(3, "EUR"), money(None)] == [
        "$0.00", "$1,234.50", "-$0.25", "3.00 EUR", None]
    assert [seconds(0.421), seconds(12.34), seconds(125), seconds(3720), seconds(None)] == [
        "0.42 s", "12.3 s", "2 min 05 s", "1 h 02 min", None]
