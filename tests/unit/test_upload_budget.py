"""The memory budget uploads in flight share: taken as bytes arrive, all given back however a request ends."""

from __future__ import annotations

import pytest

from reportit.problems import Problem
from reportit.reports.upload_budget import UploadBudget


def test_an_upload_over_what_is_left_is_asked_to_retry_and_the_others_keep_their_share():
    budget = UploadBudget(100)
    with budget.claim() as first:
        first.take(70)
        with pytest.raises(Problem) as refused, budget.claim() as second:
            second.take(20)
            second.take(20)
        assert refused.value.status == 503 and int(refused.value.headers["Retry-After"]) > 0
        assert budget.used_bytes == 70  # the refused upload gave back its 20
    assert budget.used_bytes == 0


def test_a_failed_request_gives_everything_back():
    budget = UploadBudget(100)
    with pytest.raises(RuntimeError), budget.claim() as claim:
        claim.take(60)
        claim.give_back(10)
        raise RuntimeError("the phone went away")
    assert budget.used_bytes == 0
