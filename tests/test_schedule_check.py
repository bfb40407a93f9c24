"""A cron schedule that never fires is refused by `feeds check` (file:line, exit 2), by the
parser the scheduler uses, so no mode invents a period for it (it used to pass: the daemon ran
it once at start, the worker daily, `feeds run` every time)."""

from __future__ import annotations

import pytest

from feeds.cli import main


def _config(schedule: str) -> str:
    return ("sources:\n  - id: partner\n    kind: feed\n"
            "    url: http://partner.example.com/rss.xml\n    channel: news\n"
            f"    schedule: '{schedule}'\n")


@pytest.mark.parametrize("schedule", ["* * 31 2 *", "0 0 30 2 *", "0 6 31 4,6,9,11 *"])
def test_a_cron_schedule_that_never_fires_is_one_line_and_exit_2(schedule, write_config,
                                                                  capsys):
    path = write_config(_config(schedule))
    line = path.read_text(encoding="utf-8").splitlines().index(f"    schedule: '{schedule}'") + 1
    assert main(["check", "-c", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"sources.yaml:{line}: sources[0].schedule: "
                   "this cron expression never fires (no such date)"], err


@pytest.mark.parametrize("schedule", ["0 0 29 2 *", "0 6 30 * *", "*/5 * * * *"])
def test_a_cron_schedule_that_fires_rarely_still_passes(schedule, write_config, capsys):
    assert main(["check", "-c", str(write_config(_config(schedule)))]) == 0, \
        capsys.readouterr().err
