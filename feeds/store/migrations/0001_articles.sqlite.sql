-- The schema before versioning (stores created then count as version 1): articles with their
-- queried columns and the rest as JSON, tombstones of removed articles, key/JSON state tables.
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    ident TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    source_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_channel ON articles (channel, published);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE INDEX IF NOT EXISTS articles_changed ON articles (changed_at, id);
CREATE TABLE IF NOT EXISTS removed_articles (
    id TEXT PRIMARY KEY,
    ident TEXT NOT NULL,
    url TEXT NOT NULL,
    removed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS removed_ident ON removed_articles (ident);
CREATE INDEX IF NOT EXISTS removed_url ON removed_articles (url);
CREATE INDEX IF NOT EXISTS removed_at ON removed_articles (removed_at, id);
CREATE TABLE IF NOT EXISTS source_state (
    source_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS publish_state (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
