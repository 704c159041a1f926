"""Long chart labels come on several short lines, so a phone shows them whole."""

from __future__ import annotations

from toolbox.charts import label_lines


def test_a_short_label_stays_as_it_is():
    assert label_lines("Listening") == "Listening"


def test_a_long_label_is_cut_between_words_into_short_lines():
    lines = label_lines("Maintaining effective communication")
    assert lines == ["Maintaining", "effective", "communication"]
    assert " ".join(lines) == "Maintaining effective communication"


def test_a_word_longer_than_a_line_keeps_a_line_of_its_own():
    assert label_lines("Interdisciplinarity matters") == ["Interdisciplinarity", "matters"]
