from __future__ import annotations

import csv
import io

from toolbox.csv_export import csv_response, safe_cell


def test_it_neutralises_cells_that_a_spreadsheet_would_run_as_formulas():
    for dangerous in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"]:
        assert safe_cell(dangerous) == "'" + dangerous


def test_it_leaves_ordinary_values_and_negative_numbers_alone():
    assert [safe_cell(v) for v in ["Dr. Lee", 2.5, -1.5, "-3", None, ""]] == ["Dr. Lee", "2.5", "-1.5", "-3", "", ""]


def test_it_writes_an_attachment_with_a_header_row():
    response = csv_response("members.csv", ["email", "note"], [["a@example.org", "=evil()"]])
    assert response["Content-Disposition"] == 'attachment; filename="members.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["email", "note"], ["a@example.org", "'=evil()"]]
