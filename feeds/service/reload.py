"""SIGHUP, the same for `feeds daemon` and `feeds worker`: re-read the config file; any problem
keeps the process on the config it has (each problem one logged line, counted as invalid)."""

from __future__ import annotations

import logging

from .. import config as config_mod
from ..config import Config
from ..errors import ConfigError
from .metrics import Metrics

__all__ = ["reload_config"]

log = logging.getLogger("feeds.reload")


def reload_config(old: Config, metrics: Metrics, process: str) -> Config | None:
    """The config re-read from `old.path`, or None when it is invalid or moves the store (a
    store is opened once per process: moving it needs a restart of the `process`)."""
    try:
        new = config_mod.load(old.path)
    except ConfigError as e:
        for problem in e.problems:
            log.error("reload: %s", problem)
        log.error("reload: config invalid; still running on the previous one")
        metrics.reloads.labels("invalid").inc()
        return None
    if new.store_url != old.store_url:
        log.error("reload: the store location changed; restart the %s to move it "
                  "(still running on the previous config)", process)
        metrics.reloads.labels("invalid").inc()
        return None
    metrics.reloads.labels("ok").inc()
    return new
