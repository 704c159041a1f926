from django.db import migrations

TOPICS = [
    ("Initial conversations",
     "How first meetings with a mentee went: setting expectations, finding a rhythm, agreeing what to work on."),
    ("Your mentees' challenges",
     "What your mentees are struggling with — promotion, funding, clinical load, belonging — and how to help."),
    ("Your challenges with your mentees",
     "Where a mentoring relationship is hard for you as the mentor, and what colleagues have tried."),
    ("Training topics",
     "A skill to practise together, or what someone learned in a course, workshop or reading."),
    ("How we evaluate our success",
     "How we know we are doing well, as mentors and as a program: goals met, feedback, what to measure."),
    ("Presentations from key resource people",
     "A guest from faculty affairs, the library, wellness services or another office explains what they offer."),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("community", "Topic")
    for position, (name, description) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(name=name, defaults={"description": description, "position": position})


def remove_topics(apps, schema_editor):
    Topic = apps.get_model("community", "Topic")
    Topic.objects.filter(name__in=[name for name, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(add_topics, remove_topics)]
