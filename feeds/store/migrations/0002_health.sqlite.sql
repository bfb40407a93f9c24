-- Source health (feeds/health/): each source's state and learned baseline, the items a bad
-- poll held back, and the alerts waiting for the webhook. Key/JSON rows like the state tables.
CREATE TABLE IF NOT EXISTS source_health (
    source_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS held_items (
    source_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS health_outbox (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
