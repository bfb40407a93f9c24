"""Publish-test fixtures live in publish_helpers (importable by the test modules too)."""

from publish_helpers import make_config, schemas, store  # noqa: F401
