-- 020_member_search.sql: staff find a member by any part of her name or phone
-- number, or by one of her identities. One name on both backends: member_search,
-- rows (rowid = member id, text = lower(name || ' ' || phone)) searched with
-- text LIKE '%...%'. On SQLite an FTS5 table with the trigram tokenizer over a view
-- of members, kept by triggers; on PostgreSQL a view over members with a pg_trgm
-- GIN index on the same expression (pg_trgm is a trusted extension: the database
-- owner may create it). A pattern of three characters or more is answered from the
-- index; a shorter one (a Chinese surname) reads members newest first until it has
-- enough (member/member_search.c).
CREATE INDEX member_identities_value ON member_identities (value);
{{sqlite}}
CREATE VIEW member_search_text AS SELECT id, lower(name || ' ' || phone) AS text FROM members;
CREATE VIRTUAL TABLE member_search USING fts5(text, tokenize = 'trigram', content = 'member_search_text',
                                              content_rowid = 'id');
INSERT INTO member_search (member_search) VALUES ('rebuild');
CREATE TRIGGER members_search_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_search (rowid, text) VALUES (new.id, lower(new.name || ' ' || new.phone));
END;
CREATE TRIGGER members_search_update AFTER UPDATE OF name, phone ON members BEGIN
    INSERT INTO member_search (member_search, rowid, text) VALUES ('delete', old.id, lower(old.name || ' ' || old.phone));
    INSERT INTO member_search (rowid, text) VALUES (new.id, lower(new.name || ' ' || new.phone));
END;
CREATE TRIGGER members_search_delete AFTER DELETE ON members BEGIN
    INSERT INTO member_search (member_search, rowid, text) VALUES ('delete', old.id, lower(old.name || ' ' || old.phone));
END;
{{end}}
{{postgres}}
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE VIEW member_search AS SELECT id AS rowid, lower(name || ' ' || phone) AS text FROM members;
CREATE INDEX members_search ON members USING gin (lower(name || ' ' || phone) gin_trgm_ops);
{{end}}
