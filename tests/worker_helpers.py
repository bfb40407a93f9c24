"""Helpers for the worker tests: a throwaway PostgreSQL database, feed servers on 127.0.0.x
that count requests in flight per host, and `feeds worker` processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

ADMIN_URL = os.environ.get("FEEDS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """The admin URL of a PostgreSQL server that answers (skip locally, fail in CI)."""
    try:
        _connect(ADMIN_URL).close()
    except Exception as e:
        if os.environ.get("FEEDS_REQUIRE_SYSTEM_TESTS"):
            pytest.fail(f"PostgreSQL is required in CI but {ADMIN_URL} did not answer: {e}")
        pytest.skip(f"no PostgreSQL at {ADMIN_URL}: {e}")
    return ADMIN_URL


@pytest.fixture
def pg_url(pg_admin: str) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    name = f"feeds_worker_{uuid.uuid4().hex[:10]}"
    with _connect(pg_admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_admin.rsplit("/", 1)[0] + f"/{name}"
    with _connect(pg_admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
