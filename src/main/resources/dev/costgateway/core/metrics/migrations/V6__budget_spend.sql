-- Metrics schema, version 6: spend per quarter hour, caller key, project and gateway instance, so budgets can be
-- shared by the gateways of a team (ADR 0065). Portable SQL (H2 2.x and PostgreSQL); adds only its own table, so
-- it applies before or after V2-V5, V7-V9.
--
-- The writer adds each batch's priced records here in the batch's transaction (BatchWriter). Every gateway then
-- reads the other instances' spend since the month began from this small table once a second, instead of
-- summing a month of requests rows. Quarter hours (UTC, slot = ts_micros / 900,000,000) line up with midnight in
-- every time zone in use today (all offsets are whole quarter hours), so a day or month in budget_time_zone is a
-- range of whole slots.
-- Each gateway writes only rows of its own instance, so two writers never update the same row.
CREATE TABLE budget_spend (
    slot_epoch               BIGINT           NOT NULL,
    instance                 VARCHAR(200)     NOT NULL,
    caller_key_hash          VARCHAR(128)     NOT NULL,
    project                  VARCHAR(1000)    NOT NULL,
    cost_usd                 DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (slot_epoch, instance, caller_key_hash, project)
);

-- The spend already recorded ('' for no instance, key or project: rows written before V2/V5, or none sent).
INSERT INTO budget_spend (slot_epoch, instance, caller_key_hash, project, cost_usd)
SELECT slot_epoch, instance, caller_key_hash, project, SUM(cost_usd) FROM (
    SELECT ts_micros / 900000000 AS slot_epoch, COALESCE(instance, '') AS instance,
           COALESCE(caller_key_hash, '') AS caller_key_hash, COALESCE(project, '') AS project, cost_usd
    FROM requests WHERE cost_usd > 0) priced
GROUP BY slot_epoch, instance, caller_key_hash, project;
