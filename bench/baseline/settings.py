"""The project's settings with the baselines' URLconf in front of the project's own."""

from practiceops.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.baseline.urls"
