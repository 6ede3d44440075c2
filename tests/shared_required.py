"""The switch that turns a skipped ``shared`` test into a failure.

Tests marked ``shared`` read the official files kept in the research folder
``../shared`` beside the checkout, and skip where it is absent so the suite runs
anywhere. A continuous-integration run that is meant to check our extracts
against those files must not pass by skipping them: with ``KF_REQUIRE_SHARED=1``
any skip of a ``shared`` test, whatever its reason, is reported as a failure
that keeps the reason. conftest.py imports the hook so pytest registers it.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

ENV = "KF_REQUIRE_SHARED"


def shared_is_required() -> bool:
    """Whether this run must have the research folder (``KF_REQUIRE_SHARED=1``)."""
    return os.environ.get(ENV) == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Report a skipped ``shared`` test as failed when the run requires ../shared."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and shared_is_required() and item.get_closest_marker("shared") is not None):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    report.outcome = "failed"
    report.longrepr = (
        f"{reason}\n{ENV}=1, so a test that reads the official files in ../shared may not skip.\n"
        "  Fix: put the research folder 'shared' beside the checkout, or unset "
        f"{ENV} where the folder is not meant to be available."
    )
