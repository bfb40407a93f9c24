-- What sitemaps read, in a narrow form they stream in key order without touching the
-- articles' JSON: (published, id) is the key, so one month is one range of the b-tree, read
-- in order (WITHOUT ROWID: the rows live in the key's b-tree, no second lookup). Triggers keep
-- it exact for every writer: upserts, takedowns, bulk loads.
CREATE TABLE sitemap_entries (
    published TEXT NOT NULL,
    id TEXT NOT NULL,
    url TEXT NOT NULL,
    updated TEXT NOT NULL,
    channel TEXT NOT NULL,
    image_url TEXT,
    PRIMARY KEY (published, id)
) WITHOUT ROWID;
INSERT INTO sitemap_entries (published, id, url, updated, channel, image_url)
    SELECT published, id, url, updated, channel, json_extract(data, '$.image.url') FROM articles;
CREATE TRIGGER sitemap_entries_insert AFTER INSERT ON articles BEGIN
    INSERT INTO sitemap_entries (published, id, url, updated, channel, image_url)
    VALUES (NEW.published, NEW.id, NEW.url, NEW.updated, NEW.channel,
            json_extract(NEW.data, '$.image.url'));
END;
CREATE TRIGGER sitemap_entries_update AFTER UPDATE ON articles BEGIN
    DELETE FROM sitemap_entries WHERE published = OLD.published AND id = OLD.id;
    INSERT INTO sitemap_entries (published, id, url, updated, channel, image_url)
    VALUES (NEW.published, NEW.id, NEW.url, NEW.updated, NEW.channel,
            json_extract(NEW.data, '$.image.url'));
END;
CREATE TRIGGER sitemap_entries_delete AFTER DELETE ON articles BEGIN
    DELETE FROM sitemap_entries WHERE published = OLD.published AND id = OLD.id;
END;
