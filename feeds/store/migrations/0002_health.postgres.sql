-- Source health (feeds/health/): each source's state and learned baseline, the items a bad
-- poll held back, and the alerts waiting for the webhook. Key/JSON rows like the state tables.
CREATE TABLE source_health (
    source_id TEXT COLLATE "C" PRIMARY KEY,
    data JSONB NOT NULL
);
CREATE TABLE held_items (
    source_id TEXT COLLATE "C" PRIMARY KEY,
    data JSONB NOT NULL
);
CREATE TABLE health_outbox (
    key TEXT COLLATE "C" PRIMARY KEY,
    data JSONB NOT NULL
);
