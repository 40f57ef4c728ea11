-- Metrics schema, version 2: the session and project of each request, and per-session totals.
-- Portable SQL (H2 2.x and PostgreSQL). Rows written before this version keep NULL session columns: they belong
-- to no session.

ALTER TABLE requests ADD COLUMN session_id VARCHAR(128);
-- header | metadata | derived (see SessionTag.Source)
ALTER TABLE requests ADD COLUMN session_source VARCHAR(16);
-- the working directory as the client gave it ('' when none)
ALTER TABLE requests ADD COLUMN project VARCHAR(1000);
-- cache_control markers in the request, so cache-health checks judge only requests that asked for caching
ALTER TABLE requests ADD COLUMN cache_breakpoints INTEGER;

-- A session's requests in order, and the raw sums for sessions cut by a range's edges.
CREATE INDEX requests_session ON requests (session_id, ts_micros);

-- One row per session, maintained by the writer in the same transaction as the request rows, so the session
-- list reads one row per session instead of every request. first/last are request start times (microseconds),
-- end_micros the latest request end (start + latency).
-- models is the '|'-separated set of final models. Totals cover the requests still kept (the purge subtracts).
CREATE TABLE sessions (
    session_id               VARCHAR(128)     NOT NULL PRIMARY KEY,
    session_source           VARCHAR(16)      NOT NULL,
    project                  VARCHAR(1000)    NOT NULL,
    caller_key_hash          VARCHAR(128)     NOT NULL,
    first_micros             BIGINT           NOT NULL,
    last_micros              BIGINT           NOT NULL,
    end_micros               BIGINT           NOT NULL,
    requests                 BIGINT           NOT NULL,
    errors                   BIGINT           NOT NULL,
    escalations              BIGINT           NOT NULL,
    cache_hits               BIGINT           NOT NULL,
    input_tokens             BIGINT           NOT NULL,
    output_tokens            BIGINT           NOT NULL,
    cache_creation_tokens    BIGINT           NOT NULL,
    cache_read_tokens        BIGINT           NOT NULL,
    cost_usd                 DOUBLE PRECISION NOT NULL,
    counterfactual_usd       DOUBLE PRECISION NOT NULL,
    saved_usd                DOUBLE PRECISION NOT NULL,
    models                   VARCHAR(2000)    NOT NULL
);

CREATE INDEX sessions_last ON sessions (last_micros);
CREATE INDEX sessions_project ON sessions (project, last_micros);
