"""The report's section on mentees' feedback: per domain, how mentees rate their mentors, and the
gap between mentors' own skills rating and their mentees' view of them (issue "the evidence loop").

Its own module and template include, so that other sections can be added beside it freely.
Every figure follows the report's privacy rule: the mentee rating rests on distinct mentees, the
gap on mentors who have both a skills inventory and feedback, and either is hidden under the
program's threshold.
"""

from __future__ import annotations

from accountability import feedback
from toolbox.charts import label_lines

from .privacy import change, count

KEY = "mentee-feedback"


def mentee_feedback_section(src, d):
    from .selectors import Section, _shown

    t = d.threshold
    section = Section(
        key=KEY, title="Mentees' view of their mentors", source="mentees' feedback forms and skills inventories",
        intro=("Mean mentee rating per competency (1–7, each mentee counted once with their latest answer), and "
               "for mentors with both, their own latest skills rating beside their mentees' view of them."),
        columns=["Domain", "Mentee rating", "Mentees", "Self rating", "Mentees' view of the same mentors",
                 "Gap (self − mentees)", "Mentors"],
        units={"Mentee rating": "1–7", "Self rating": "1–7", "Mentees' view of the same mentors": "1–7",
               "Gap (self − mentees)": "points on 1–7"},
        empty=("No mentee has answered a feedback form yet. Coordinators set when mentees are asked under "
               "“Mentee feedback schedules” in the admin."),
        method=(f"Each mentee's latest feedback is averaged per competency on the skills inventory's six domains; "
                f"the gap is, over mentors with both, the mean of their own latest skills rating minus the mean of "
                f"their mentees' ratings of them, so a positive gap means mentors rate themselves higher than their "
                f"mentees do. A figure over fewer than {t} mentees or mentors is not shown, and nobody's answers "
                f"are ever shown on their own."),
    )
    rows = feedback.program_feedback(program=src.program)
    section.rows, labels, selves, views = [], [], [], []
    for row in rows:
        rated = d.release(f"{KEY}:{row.key}", row.mentees, {"mean": row.mentee_mean})
        paired = d.release(f"{KEY}:gap:{row.key}", row.mentors,
                           {"self": row.self_mean, "view": row.mentee_view_of_them})
        rating = _shown(rated, "mean", t, places=1)
        own = _shown(paired, "self", t, places=1)
        view = _shown(paired, "view", t, places=1)
        shown = own.chart is not None and view.chart is not None
        # Worked out from the two figures shown, so it tells nothing they do not.
        gap = change(own.value - view.value if shown else None, paired.current_n, threshold=t, places=1,
                     as_of=paired.as_of)
        section.rows.append([row.name, rating, count(row.mentees, threshold=t), own, view, gap,
                             count(row.mentors, threshold=t)])
        labels.append(label_lines(row.name))
        selves.append(own.chart)
        views.append(view.chart)
    section.chart = {
        "type": "bar", "labels": labels, "unit": "", "yMin": 1, "yMax": 7,
        "datasets": [{"label": "Self rating", "data": selves}, {"label": "Mentees' view", "data": views}],
    }
    return section
