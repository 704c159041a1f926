"""A person's own data: a copy on request (``export``), and erasure (``erasure``), both driven by
the one registry of personal data (mentorprogram/personal_data.py)."""
