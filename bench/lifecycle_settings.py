"""Settings for bench/orders_lifecycle.py: the app's settings plus a baseline endpoint (bench only)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.lifecycle_urls"
