-- Metrics schema, version 5: several gateways writing one database (the team setup). Portable SQL, like V1.
-- Adds only its own column and table, so it applies before or after V2-V4.

-- The gateway that served the request: host name and a stable id of its data folder (GatewayInstance);
-- NULL for rows written before this version.
-- No index of its own: a filter by instance reads a time range through requests_ts, and every index costs the
-- writer on every row.
ALTER TABLE requests ADD COLUMN instance VARCHAR(200);

-- Request ids are handed out in blocks from this one row, in a short transaction of their own, so writers in
-- different processes never pick the same id (MAX(id) + 1 per writer would). Starts after the rows already there.
CREATE TABLE request_id_blocks (
    name                     VARCHAR(32)      NOT NULL PRIMARY KEY,
    next_id                  BIGINT           NOT NULL
);

INSERT INTO request_id_blocks (name, next_id) SELECT 'requests', COALESCE(MAX(id), 0) + 1 FROM requests;
