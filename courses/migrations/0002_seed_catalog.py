"""The shared catalog every program starts with: the training modalities a medical school's
mentoring program draws on, two readings, two journals to search, and two quick guides.

Items are shared (no program) and matched by title, so running this again adds nothing.
"""

from decimal import Decimal

from django.db import migrations

FIRST_MEETINGS_GUIDE = """\
A good start saves months of drift. Most mentoring relationships that fail do so because the two
people never said out loud what they expected of each other.

## Before you meet
- Read your mentee's CV or profile and note two or three questions you are curious about.
- Block an hour somewhere you will not be interrupted. Video is fine; keep the camera on.

## In the first meeting
1. **Listen first.** Ask what brought them to the program and what a good year would look like.
2. **Say what you can offer** — and what you cannot. If you are not the right person for grant
   writing, say so and name someone who is.
3. **Agree on the practical things:** how often you meet (the program asks for at least monthly),
   who sets the agenda, how to reach each other between meetings, how fast you reply.
4. **Agree on confidentiality:** what stays between you, and the rare cases where it cannot.
5. **End with one small goal** each of you will do before the next meeting.

## Signs of a poor start
- Meetings get cancelled and not rescheduled.
- The mentee only ever says everything is fine.
- You do most of the talking.

If you see these, name them kindly at the next meeting and ask what would work better. Bring the
question to the Mentor Community if you are stuck.

## After the meeting
Write down what you agreed and send a two-line summary to your mentee. Record the meeting in your
mentee log.
"""

FEEDBACK_GUIDE = """\
Feedback is the part of mentoring people most often avoid, and the part mentees most often say
they needed.

## Giving feedback
- **Ask first.** "Would it help if I told you how the talk came across?" lets the person choose
  the moment.
- **Be specific and recent.** Describe what you saw or read, and its effect, not the person's
  character.
- **Keep it in proportion.** One or two points they can act on beat a long list.
- **Check understanding.** Ask them to say back what they will do differently; listen for
  whether the message landed as you meant it.
- **Follow up.** Notice and say so when the change happens.

## Receiving feedback
- Thank the person, even when it stings; they took a risk.
- Ask for an example if the point is vague.
- You do not have to agree on the spot. Say you will think about it, and do.
- Ask your mentee, at least twice a year, what you could do better as their mentor.

## Across differences
Gender, generation, culture and career stage all change how feedback is heard. If you are
unsure how a comment will land, ask how the person prefers to receive feedback.
"""

THEMES = {
    "good-and-bad-starts": "good and bad starts",
    "stress": "stress",
    "mood": "mood",
    "gender-and-inter-generational-dynamics": "gender and inter-generational dynamics",
    "giving-and-receiving-feedback": "giving and receiving feedback",
    "mentoring-practice": "mentoring practice",
    "research-mentoring": "research mentoring",
    "career-development": "career development",
    "mentoring-programs": "mentoring programs",
}

READINGS = [
    {
        "title": "Mentoring in academic medicine: a systematic review",
        "citation": "Sambunjak D, Straus SE, Marušić A. Mentoring in academic medicine: a systematic review. "
                    "JAMA. 2006;296(9):1103–1115.",
        "url": "https://doi.org/10.1001/jama.296.9.1103",
        "year": 2006,
        "topics": ["mentoring-programs", "career-development"],
    },
    {
        "title": "Training mentors of clinical and translational research scholars: a randomized controlled trial",
        "citation": "Pfund C, House SC, Asquith P, et al. Training mentors of clinical and translational research "
                    "scholars: a randomized controlled trial. Academic Medicine. 2014;89(5):774–782.",
        "url": "",
        "year": 2014,
        "topics": ["research-mentoring", "mentoring-practice"],
    },
    {
        "title": "Academic Medicine: search its archive for faculty mentoring",
        "citation": "Academic Medicine, the journal of the Association of American Medical Colleges, publishes "
                    "studies of mentoring programs and practices. Search its archive for “faculty mentoring” "
                    "and pick a recent article for the group to discuss.",
        "url": "https://journals.lww.com/academicmedicine",
        "year": None,
        "topics": ["mentoring-programs"],
    },
    {
        "title": "Teaching and Learning in Medicine: search for mentoring",
        "citation": "Teaching and Learning in Medicine, a journal of medical education research. Search it for "
                    "“mentoring” to find articles the Mentor Community can read together.",
        "url": "",
        "year": None,
        "topics": ["mentoring-practice"],
    },
]

GUIDES = [
    {
        "title": "Your first meetings with a new mentee",
        "catalog_title": "Quick guide: your first meetings with a new mentee",
        "summary": "How to start well: what to agree on early, and the signs that a start is going badly.",
        "body": FIRST_MEETINGS_GUIDE,
        "domains": ["aligning-expectations", "effective-communication", "time-availability",
                    "boundaries-confidentiality"],
        "themes": ["good-and-bad-starts"],
    },
    {
        "title": "Giving and receiving feedback",
        "catalog_title": "Quick guide: giving and receiving feedback",
        "summary": "Practical habits for feedback your mentee can use, and for hearing theirs.",
        "body": FEEDBACK_GUIDE,
        "domains": ["effective-communication", "assessing-understanding", "openness-feedback"],
        "themes": ["giving-and-receiving-feedback", "gender-and-inter-generational-dynamics"],
    },
]

COURSES = [
    {
        "title": "Mentor training for faculty: a self-paced online course",
        "provider": "School of Medicine",
        "modality": "self_paced",
        "description": (
            "An online course you take at your own pace. It draws on research evidence and includes "
            "readings, self-assessment exercises and short recorded scenes of situations faculty mentors "
            "commonly run into. Completing it earns 2.5 hours of Continuing Medical Education (CME) credit."
        ),
        "hours": Decimal("2.5"),
        "cme_credit_hours": Decimal("2.5"),
        "themes": ["good-and-bad-starts", "stress", "mood", "gender-and-inter-generational-dynamics",
                   "giving-and-receiving-feedback"],
        "domains": ["effective-communication", "aligning-expectations", "equity-inclusion",
                    "professional-development", "openness-feedback"],
    },
    {
        "title": "Mentoring workshop series (three parts)",
        "provider": "Teaching and Mentoring Academy, School of Medicine",
        "modality": "workshop_series",
        "description": (
            "Three workshops on mentoring for faculty, offered by the academy at regular intervals through "
            "the year. Each part builds on the one before, so plan to attend all three in order."
        ),
        "themes": ["mentoring-practice"],
        "domains": ["effective-communication", "aligning-expectations", "assessing-understanding",
                    "fostering-independence"],
    },
    {
        "title": "Education Day",
        "provider": "Teaching and Mentoring Academy, School of Medicine",
        "modality": "annual_event",
        "description": (
            "The academy's yearly day given over to teaching and learning in medicine. Its programme "
            "includes sessions on mentoring practice and a chance to meet mentors from other departments."
        ),
        "themes": ["mentoring-practice", "career-development"],
        "domains": ["professional-development", "fostering-independence"],
    },
    {
        "title": "National Research Mentoring Network: workshops and resources",
        "provider": "National Research Mentoring Network (NRMN)",
        "modality": "network",
        "description": (
            "A national network, funded by the NIH, for mentors and mentees in science, technology, "
            "engineering, mathematics and medicine, from undergraduates to faculty. Its workshops and online "
            "resources include material on mentoring junior faculty. You need a free account on its site."
        ),
        "needs_external_account": True,
        "url": "https://nrmnet.net/",
        "themes": ["research-mentoring", "career-development"],
        "domains": ["effective-communication", "aligning-expectations", "assessing-understanding",
                    "fostering-independence", "equity-inclusion", "professional-development"],
    },
    {
        "title": "Mentoring workshops at conferences and professional associations",
        "provider": "Professional societies in your field",
        "modality": "conference_workshop",
        "description": (
            "Many professional associations run mentoring workshops at their annual meetings. Look for them "
            "in your society's conference programme and record the ones you attend here."
        ),
        "themes": ["mentoring-practice", "career-development"],
        "domains": ["professional-development"],
    },
]

READING_ITEMS = [
    {"reading": READINGS[0]["title"], "title": "Reading: mentoring in academic medicine, a systematic review",
     "domains": ["professional-development", "motivation-purpose"], "themes": ["mentoring-programs"]},
    {"reading": READINGS[1]["title"], "title": "Reading: a trial of training for research mentors",
     "domains": ["effective-communication", "aligning-expectations", "assessing-understanding",
                 "fostering-independence", "equity-inclusion", "professional-development"],
     "themes": ["research-mentoring"]},
]


def seed(apps, schema_editor):
    Theme = apps.get_model("courses", "Theme")
    Reading = apps.get_model("courses", "Reading")
    QuickGuide = apps.get_model("courses", "QuickGuide")
    Course = apps.get_model("courses", "Course")
    CourseDomain = apps.get_model("courses", "CourseDomain")

    themes = {}
    for slug, name in THEMES.items():
        themes[slug], _ = Theme.objects.get_or_create(slug=slug, defaults={"name": name})

    def tag(course, spec):
        course.themes.add(*(themes[t] for t in spec.get("themes", [])))
        for key in spec.get("domains", []):
            CourseDomain.objects.get_or_create(course=course, domain_key=key)

    readings = {}
    for spec in READINGS:
        reading, created = Reading.objects.get_or_create(
            program=None, title=spec["title"],
            defaults={"citation": spec["citation"], "url": spec["url"], "year": spec["year"]},
        )
        if created:
            reading.topics.add(*(themes[t] for t in spec["topics"]))
        readings[spec["title"]] = reading

    for spec in COURSES:
        course, created = Course.objects.get_or_create(
            program=None, title=spec["title"],
            defaults={
                "provider": spec["provider"], "modality": spec["modality"], "description": spec["description"],
                "hours": spec.get("hours"), "cme_credit_hours": spec.get("cme_credit_hours", Decimal("0")),
                "needs_external_account": spec.get("needs_external_account", False), "url": spec.get("url", ""),
            },
        )
        if created:
            tag(course, spec)

    for spec in READING_ITEMS:
        reading = readings[spec["reading"]]
        course, created = Course.objects.get_or_create(
            program=None, title=spec["title"],
            defaults={"provider": "Mentor Community reading", "modality": "reading", "reading": reading,
                      "description": reading.citation, "url": reading.url, "hours": Decimal("1")},
        )
        if created:
            tag(course, spec)

    for spec in GUIDES:
        guide, _ = QuickGuide.objects.get_or_create(
            program=None, title=spec["title"], defaults={"summary": spec["summary"], "body": spec["body"]},
        )
        course, created = Course.objects.get_or_create(
            program=None, title=spec["catalog_title"],
            defaults={"provider": "Mentoring program", "modality": "quick_guide", "quick_guide": guide,
                      "description": spec["summary"], "hours": Decimal("0.25")},
        )
        if created:
            tag(course, spec)


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
