-- The same tables as SQLite's version 1. Text columns use the "C" collation so that ids, URLs
-- and the UTC timestamp texts sort byte by byte, exactly as in SQLite, whatever the database's
-- locale: keyset pagination by (changed_at, id) and saved publish marks mean the same in both.
-- change_clock holds the last change stamp; its one row is locked by every stamping write
-- until commit, so stamps are handed out in commit order (see docs/design.md).
CREATE TABLE articles (
    id TEXT COLLATE "C" PRIMARY KEY,
    ident TEXT COLLATE "C" NOT NULL UNIQUE,
    url TEXT COLLATE "C" NOT NULL,
    source_id TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    published TEXT COLLATE "C" NOT NULL,
    updated TEXT COLLATE "C" NOT NULL,
    first_seen TEXT COLLATE "C" NOT NULL,
    changed_at TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    data JSONB NOT NULL
);
CREATE INDEX articles_published ON articles (published, id);
CREATE INDEX articles_channel ON articles (channel, published, id);
CREATE INDEX articles_source ON articles (source_id, published, id);
CREATE INDEX articles_url ON articles (url);
CREATE INDEX articles_changed ON articles (changed_at, id);
CREATE TABLE removed_articles (
    id TEXT COLLATE "C" PRIMARY KEY,
    ident TEXT COLLATE "C" NOT NULL,
    url TEXT COLLATE "C" NOT NULL,
    removed_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX removed_ident ON removed_articles (ident);
CREATE INDEX removed_url ON removed_articles (url);
CREATE INDEX removed_at ON removed_articles (removed_at, id);
CREATE TABLE source_state (
    source_id TEXT COLLATE "C" PRIMARY KEY,
    data JSONB NOT NULL
);
CREATE TABLE http_cache (
    url TEXT COLLATE "C" PRIMARY KEY,
    data JSONB NOT NULL
);
CREATE TABLE publish_state (
    name TEXT COLLATE "C" PRIMARY KEY,
    data JSONB NOT NULL
);
CREATE TABLE change_clock (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    last TEXT COLLATE "C" NOT NULL
);
INSERT INTO change_clock VALUES (1, '');
