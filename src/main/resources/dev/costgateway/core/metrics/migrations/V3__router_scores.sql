-- Metrics schema, version 3: the router's numbers for each request (RouterScores), so recorded traffic can be
-- re-thresholded (GET /v1/routing/whatif, the routing knob's preview) and the request inspector can show why a
-- tier was chosen. Numbers only, no text. Portable SQL (H2 2.x and PostgreSQL); adds only its own columns, so it
-- applies before or after V4-V8. All NULL for requests that were not scored and for rows written before V3.

-- P(needs premium) and P(needs at least balanced), from 0 to 1
ALTER TABLE requests ADD COLUMN score_premium DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN score_balanced DOUBLE PRECISION;
-- embedding+features | features
ALTER TABLE requests ADD COLUMN score_model VARCHAR(32);
-- the thresholds the scores were judged by; may be +/-Infinity (a share of 0 or 1)
ALTER TABLE requests ADD COLUMN threshold_premium DOUBLE PRECISION;
ALTER TABLE requests ADD COLUMN threshold_fast DOUBLE PRECISION;
-- share | raw | raw/share | share/raw
ALTER TABLE requests ADD COLUMN threshold_source VARCHAR(32);
-- the requested model's tier: the router never went above it
ALTER TABLE requests ADD COLUMN route_ceiling VARCHAR(32);
