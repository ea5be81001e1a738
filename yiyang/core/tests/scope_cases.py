"""Scope cases of the kernel's own pages: the jobs page's "run now" (city-wide, no county to cross)."""

from yiyang.core.testing import PagePostCase, register_page_post

register_page_post(
    PagePostCase(
        name="core:job-run",
        make=lambda cast, region: None,
        url=lambda obj: "/jobs/no-such-job/run/",
        scoped=False,
        own=None,
        note="jobs are platform-wide; running one is core/tests/test_platform.py's business",
    )
)
