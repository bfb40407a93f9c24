"""`feeds run` and `feeds daemon` (and every entry point added to parity_helpers.ENTRY_POINTS)
make the same requests of the same misbehaving sources and record the same state: conditional
GET and 304, 410 skipped, Retry-After honoured (within a run, and as a backoff), robots.txt
fetched once and cached, a User-Agent with the contact URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from parity_helpers import ENTRY_POINTS, EXPECTED_RECORDED, EXPECTED_SEEN, EntryPoint, Scenario


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.name)
def test_every_entry_point_requests_and_records_the_same(entry: EntryPoint, tmp_path: Path,
                                                          http_server, request) -> None:
    scenario = Scenario(http_server)
    config = scenario.config(tmp_path, entry.store(request))
    entry.drive(config, scenario)
    assert scenario.seen() == EXPECTED_SEEN
    assert scenario.recorded(config) == EXPECTED_RECORDED
