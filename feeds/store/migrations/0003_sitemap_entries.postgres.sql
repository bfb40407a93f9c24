-- What sitemaps read, in a narrow form they stream in key order without touching the
-- articles' JSONB (see the SQLite version). One trigger keeps it exact for every writer.
CREATE TABLE sitemap_entries (
    published TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    url TEXT COLLATE "C" NOT NULL,
    updated TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    image_url TEXT COLLATE "C",
    PRIMARY KEY (published, id)
);
INSERT INTO sitemap_entries (published, id, url, updated, channel, image_url)
    SELECT published, id, url, updated, channel, data->'image'->>'url' FROM articles;
CREATE FUNCTION sitemap_entries_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM sitemap_entries WHERE published = OLD.published AND id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sitemap_entries (published, id, url, updated, channel, image_url)
        VALUES (NEW.published, NEW.id, NEW.url, NEW.updated, NEW.channel,
                NEW.data->'image'->>'url');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER sitemap_entries_sync AFTER INSERT OR UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION sitemap_entries_sync();
