"""The report's evidence of impact: self-ratings at baseline and follow-up per domain, and the
change beside training completed in between (README, "The program report").

Both sections rest on the same people — those with a baseline and a follow-up skills inventory —
and on one release group per domain (``impact:<domain key>``), with the people who trained in the
domain and those who did not as its two parts. So the change, the baseline and follow-up means and
the two subgroups' changes are published together, computed afresh only when the whole group and
each part have moved by the threshold (reports/disclosure.py); a subgroup under the threshold hides
both subgroups, since the other one and the overall change would give it away.
"""

from __future__ import annotations

from toolbox.charts import label_lines

from .disclosure import PARTS, Disclosure, Release
from .privacy import change, count, figure
from .sources import ReportSources


def _release(row: dict, d: Disclosure) -> tuple[Release, bool]:
    """The domain's group and whether its subgroups are shown."""
    t = d.threshold
    split = row["trained_n"] >= t and row["untrained_n"] >= t
    values = {"mean_change": row["mean_change"], "baseline": row["baseline"], "follow_up": row["follow_up"],
              "trained_change": row["trained_change"] if split else None,
              "untrained_change": row["untrained_change"] if split else None}
    parts = {"trained": row["trained_n"], "untrained": row["untrained_n"]} if split else None
    return d.release(f"impact:{row['key']}", row["n"], values, parts=parts), split


def _value(release: Release, name: str):
    return None if release.values is None else release.values.get(name)


def impact_section(src: ReportSources, d: Disclosure):
    from .selectors import Section

    t = d.threshold
    section = Section(
        key="impact", title="Evidence of impact", source="skills inventories",
        intro="For people with a baseline and a follow-up skills inventory: their mean self-rating per domain at "
              "the baseline and at their latest follow-up (1–7), and the mean change.",
        columns=["Domain", "Baseline mean", "Follow-up mean", "Mean change", "People with both"],
        units={"Baseline mean": "1–7", "Follow-up mean": "1–7", "Mean change": "points on 1–7"},
        empty="Nobody in the program has a follow-up skills inventory yet.",
        method=(f"Method: each person's change is their latest follow-up's mean rating in the domain minus their "
                f"baseline's, the table shows the mean of those changes and both means over the same people, and "
                f"hides any figure resting on fewer than {t} people."),
        template="reports/_evidence_section.html",
    )
    section.rows, labels, before, after = [], [], [], []
    for row in src.paired_change:
        released, _ = _release(row, d)
        as_of = released.as_of
        baseline = figure(_value(released, "baseline"), released.n, threshold=t, places=1, as_of=as_of)
        follow_up = figure(_value(released, "follow_up"), released.n, threshold=t, places=1, as_of=as_of)
        delta = change(_value(released, "mean_change"), released.n, threshold=t, places=2, as_of=as_of)
        section.rows.append([row["domain"], baseline, follow_up, delta, count(row["n"], threshold=t)])
        labels.append(label_lines(row["domain"]))
        before.append(baseline.chart)
        after.append(follow_up.chart)
    section.chart = {"type": "bar", "labels": labels, "unit": "", "yMin": 1, "yMax": 7,
                     "datasets": [{"label": "Baseline", "data": before}, {"label": "Follow-up", "data": after}]}
    return section


def training_change_section(src: ReportSources, d: Disclosure):
    from .selectors import Section

    t = d.threshold
    section = Section(
        key="training-change", title="Training and change", source="skills inventories and training completions",
        intro="The mean change per domain since the baseline for people who completed a course addressing the "
              "domain between their baseline and their follow-up, beside those who did not.",
        columns=["Domain", "Change, trained", "People who trained", "Change, not trained", "People who did not"],
        units={"Change, trained": "points on 1–7", "Change, not trained": "points on 1–7"},
        empty="Nobody in the program has a follow-up skills inventory yet.",
        gap="A missing bar stands for a group of fewer than {threshold} people, or for a domain whose other "
            "group is that small (the two together would give it away).",
        method=("Method: a person counts as trained in a domain when they recorded a completed course tagged with "
                "that domain on a day from their baseline to their latest follow-up; the figures describe the "
                "program's people and do not by themselves show that the training caused the change."),
        template="reports/_evidence_section.html",
    )
    section.rows, labels, trained, untrained = [], [], [], []
    for row in src.paired_change:
        released, _ = _release(row, d)
        as_of = released.as_of
        # Both subgroups or neither, with the sizes they were published at (hidden as one when
        # either was under the threshold).
        parts = _value(released, PARTS) or {}
        with_training = change(_value(released, "trained_change"), parts.get("trained", 0), threshold=t, places=2,
                               as_of=as_of)
        without = change(_value(released, "untrained_change"), parts.get("untrained", 0), threshold=t, places=2,
                         as_of=as_of)
        section.rows.append([row["domain"], with_training, count(row["trained_n"], threshold=t), without,
                             count(row["untrained_n"], threshold=t)])
        labels.append(label_lines(row["domain"]))
        trained.append(with_training.chart)
        untrained.append(without.chart)
    section.chart = {"type": "bar", "labels": labels, "unit": "",
                     "datasets": [{"label": "Completed training in the domain", "data": trained},
                                  {"label": "Did not", "data": untrained}]}
    return section
