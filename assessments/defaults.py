"""The default instruments every program starts with, written for this project.

The content is plain data so the data migration, the demo seeder and the tests share one
source. ``install_default_instruments`` takes the model classes as arguments, so a
migration can pass its historical models; it is idempotent (an instrument that already
exists is left alone, edits included).
"""

from __future__ import annotations

from . import constants as c

SKILL_SCALE_LABELS = {
    "1": "Not at all skilled",
    "2": "Slightly skilled",
    "3": "Somewhat skilled",
    "4": "Moderately skilled",
    "5": "Fairly skilled",
    "6": "Very skilled",
    "7": "Extremely skilled",
}

READINESS_CHECKLIST = {
    "slug": c.READINESS_CHECKLIST_SLUG,
    "kind": "readiness",
    "name": "Mentor Readiness Checklist",
    "description": (
        "A short self-check before you take on a mentee. Answer each statement honestly with "
        "“yes”, “not yet” or “unsure”: every “not yet” or “unsure” points to something worth "
        "discussing with your coordinator, not a mark against you."
    ),
    "response_type": "checklist",
    "domains": [
        (c.TIME_AVAILABILITY, "Consider the hours a mentoring relationship asks of you over a year.", [
            "I can set aside about an hour each month to meet my mentee.",
            "I can answer a mentee's message within a few working days.",
            "I can attend most monthly meetings of the Mentor Community.",
            "My clinical, teaching and research load leaves room for a mentee this year.",
        ]),
        (c.MOTIVATION_PURPOSE, "Think about why you want to mentor now.", [
            "I want to mentor because I care about my mentee's growth, not only because it is expected of me.",
            "I can name at least one thing I hope a mentee will gain from working with me.",
            "I am prepared to help a mentee pursue goals that differ from my own career path.",
            "I see mentoring as part of my own professional development.",
        ]),
        (c.PROGRAM_EXPECTATIONS, "Check what you know about how this program works.", [
            "I have read the program's mission and what it expects of mentors.",
            "I know how often the program asks mentors to meet their mentees.",
            "I know what I will be asked to record and report as a mentor.",
            "I know whom to contact when a mentoring relationship is not working.",
        ]),
        (c.BOUNDARIES_CONFIDENTIALITY, "Consider the limits that keep a mentoring relationship safe.", [
            "I can keep what a mentee tells me confidential, and I know when safety overrides that.",
            "I can recognise a conflict of interest, such as mentoring someone I also evaluate.",
            "I am comfortable saying where my role as a mentor ends and referring a mentee elsewhere.",
            "I can keep the relationship professional when it also becomes friendly.",
        ]),
        (c.OPENNESS_FEEDBACK, "Think about how you learn from others.", [
            "I welcome feedback from a mentee about how our meetings are going.",
            "I am willing to take part in mentor training in the coming year.",
            "I am ready to discuss my own mentoring challenges with peer mentors.",
            "I can change my approach when something I try does not help my mentee.",
        ]),
    ],
}

SKILLS_INVENTORY = {
    "slug": c.SKILLS_INVENTORY_SLUG,
    "kind": "skills",
    "name": "Mentor Skills Inventory",
    "description": (
        "Rate how skilled you are today at each mentoring task, from 1 (not at all) to 7 "
        "(extremely), and say whether you are willing to work on it. Choose “not applicable” "
        "when a task does not arise in your mentoring. Your answers are seen only by you and "
        "your program's coordinators."
    ),
    "response_type": "ability_willingness",
    "domains": [
        (c.EFFECTIVE_COMMUNICATION, "Listening, speaking plainly and keeping the conversation going.", [
            "Listening to a mentee without steering the conversation to my own agenda.",
            "Giving a mentee specific, timely feedback they can act on.",
            "Agreeing with a mentee how and how often we will be in touch.",
            "Adjusting how I communicate to a mentee's background and style.",
        ]),
        (c.ALIGNING_EXPECTATIONS, "Making what each of you expects explicit and revisiting it.", [
            "Discussing early on what my mentee and I each expect from the relationship.",
            "Setting shared goals with a mentee and writing them down.",
            "Revisiting our expectations when circumstances change.",
            "Being clear about what I can and cannot offer as a mentor.",
        ]),
        (c.ASSESSING_UNDERSTANDING, "Finding out what a mentee knows and where they are stuck.", [
            "Checking what a mentee already knows before I explain something.",
            "Noticing when a mentee is confused or struggling but has not said so.",
            "Asking questions that help a mentee reason through a problem.",
            "Judging whether a mentee is ready for a new responsibility.",
        ]),
        (c.FOSTERING_INDEPENDENCE, "Helping a mentee become self-directed.", [
            "Encouraging a mentee to make their own decisions about their work.",
            "Letting a mentee take on tasks that stretch them, with support at hand.",
            "Helping a mentee build a network of other mentors and sponsors.",
            "Stepping back as a mentee's confidence and skill grow.",
        ]),
        (c.EQUITY_INCLUSION, "Mentoring well across differences of background and identity.", [
            "Reflecting on how my own background shapes my mentoring.",
            "Talking with a mentee about how their identity affects their experience at work.",
            "Recognising bias in how opportunities are offered and acting on it.",
            "Making a mentee from an under-represented group feel they belong.",
        ]),
        (c.PROFESSIONAL_DEVELOPMENT, "Supporting a mentee's career beyond the next task.", [
            "Helping a mentee plan the steps towards promotion.",
            "Advising a mentee on balancing clinical, teaching and research work.",
            "Introducing a mentee to people and opportunities that advance their career.",
            "Discussing well-being and work–life integration with a mentee.",
        ]),
    ],
}

AGREEMENT_SCALE_LABELS = {
    "1": "Strongly disagree",
    "2": "Disagree",
    "3": "Somewhat disagree",
    "4": "Neither agree nor disagree",
    "5": "Somewhat agree",
    "6": "Agree",
    "7": "Strongly agree",
}

MENTEE_FEEDBACK = {
    "slug": c.MENTEE_FEEDBACK_SLUG,
    "kind": "mentee_feedback",
    "name": "Feedback on your mentor",
    "description": (
        "How your mentor works with you, on the six competencies the program's mentors train in. "
        "Your mentor never sees your answers on their own: only averages over several mentees."
    ),
    "response_type": "rating",
    "scale_labels": AGREEMENT_SCALE_LABELS,
    "domains": [
        (c.EFFECTIVE_COMMUNICATION, "How you and your mentor talk and listen.", [
            "My mentor listens to me without rushing to an answer.",
            "My mentor gives me feedback I can act on.",
        ]),
        (c.ALIGNING_EXPECTATIONS, "Agreeing what each of you expects.", [
            "We agreed early on what we each expect from our meetings.",
            "My mentor and I revisit our goals when things change.",
        ]),
        (c.ASSESSING_UNDERSTANDING, "Checking that ideas and plans are understood.", [
            "My mentor checks that I have understood their advice.",
            "My mentor notices when I am unsure and asks about it.",
        ]),
        (c.FOSTERING_INDEPENDENCE, "Room to grow and decide for yourself.", [
            "My mentor encourages me to make my own decisions.",
            "My mentor gives me more responsibility as my confidence grows.",
        ]),
        (c.EQUITY_INCLUSION, "Mentoring that respects who you are.", [
            "My mentor is open to talking about how my background affects my work.",
            "I feel that I belong when I work with my mentor.",
        ]),
        (c.PROFESSIONAL_DEVELOPMENT, "Support for your career beyond the next task.", [
            "My mentor helps me plan the next steps of my career.",
            "My mentor introduces me to people and opportunities that help my career.",
        ]),
    ],
}

DEFAULT_INSTRUMENTS = (READINESS_CHECKLIST, SKILLS_INVENTORY)
"""The self-assessments every program starts with."""
FEEDBACK_INSTRUMENTS = (MENTEE_FEEDBACK,)
"""What mentees answer about their mentor (not a self-assessment: mentors never take it)."""


def install_default_instruments(*, Instrument, InstrumentVersion, Domain, Item, now,  # noqa: N803
                                specs=DEFAULT_INSTRUMENTS + FEEDBACK_INSTRUMENTS) -> list:
    """Create each missing default instrument with a published version 1. Returns the new ones."""
    created = []
    for spec in specs:
        if Instrument.objects.filter(program__isnull=True, slug=spec["slug"]).exists():
            continue
        instrument = Instrument.objects.create(
            program=None, slug=spec["slug"], kind=spec["kind"], name=spec["name"], description=spec["description"],
        )
        version = InstrumentVersion.objects.create(instrument=instrument, number=1, published_at=now)
        items = []
        for d_order, (key, description, prompts) in enumerate(spec["domains"], start=1):
            domain = Domain.objects.create(
                version=version, key=key, name=c.DOMAIN_NAMES[key], description=description, order=d_order,
            )
            for i_order, prompt in enumerate(prompts, start=1):
                item = Item(domain=domain, order=i_order, prompt=prompt, response_type=spec["response_type"],
                            required=True)
                if spec["response_type"] == "ability_willingness":
                    item.scale_min, item.scale_max = 1, 7
                    item.scale_labels = dict(SKILL_SCALE_LABELS)
                    item.allow_not_applicable = True
                elif spec["response_type"] == "rating":
                    item.scale_min, item.scale_max = 1, 7
                    item.scale_labels = dict(spec.get("scale_labels") or SKILL_SCALE_LABELS)
                    item.allow_not_applicable = True
                items.append(item)
        Item.objects.bulk_create(items)
        created.append(instrument)
    return created
