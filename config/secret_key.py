"""The development secret key: made at random on the first start and kept in a file under
``var/`` (git-ignored, readable by its owner only), so that no key is ever published with the
code and sessions and signed links survive a restart. Production sets ``SECRET_KEY`` instead."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def development_secret_key(path: Path) -> str:
    """The key kept at ``path``, made first if there is none. Processes starting together (web,
    worker, beat) agree on one key: each writes its own candidate and links it into place, and a
    link never replaces a file that is already there."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            candidate.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key; delete it to have a new one made.")
    return key
