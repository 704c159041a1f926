"""tests/deploy: the production deployment (README › Deploying). The stack test is marked
``deploy``; run it alone with ``pytest -m deploy``."""
