-- Metrics schema, version 8: prompt-cache findings per session (CacheHealth), kept by the writer with each batch
-- (SessionCacheHealth), so the session list and the dashboard count them without reading every request.
-- Portable SQL (H2 2.x and PostgreSQL). Sessions written before this version read 0 until their next request,
-- when the writer judges them again from all their rows.

ALTER TABLE sessions ADD COLUMN cache_warnings BIGINT DEFAULT 0 NOT NULL;
-- what the findings cost, in USD at the prices in force when they were judged
ALTER TABLE sessions ADD COLUMN cache_wasted_usd DOUBLE PRECISION DEFAULT 0 NOT NULL;
