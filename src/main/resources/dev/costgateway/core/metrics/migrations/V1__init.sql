-- Metrics schema, version 1. Portable SQL (H2 2.x and PostgreSQL): no vendor types, no vendor syntax.
-- Times are microseconds since the epoch (UTC); hour_epoch is ts_micros / 3 600 000 000.

-- One row per client request; token columns are NULL when the record carried no usage.
CREATE TABLE requests (
    id                       BIGINT           NOT NULL PRIMARY KEY,
    query_id                 VARCHAR(64)      NOT NULL,
    ts_micros                BIGINT           NOT NULL,
    caller_key_hash          VARCHAR(128),
    requested_model          VARCHAR(200),
    final_model              VARCHAR(200),
    tier                     VARCHAR(32),
    classifier_layer         VARCHAR(32),
    classifier_reason        VARCHAR(1000),
    cache_kind               VARCHAR(32),
    escalations              INTEGER          NOT NULL,
    streamed                 BOOLEAN          NOT NULL,
    status                   INTEGER          NOT NULL,
    error_type               VARCHAR(64),
    input_tokens             BIGINT,
    output_tokens            BIGINT,
    cache_creation_tokens    BIGINT,
    cache_creation_5m_tokens BIGINT,
    cache_creation_1h_tokens BIGINT,
    cache_read_tokens        BIGINT,
    cost_usd                 DOUBLE PRECISION,
    counterfactual_usd       DOUBLE PRECISION,
    saved_usd                DOUBLE PRECISION,
    latency_ms               BIGINT           NOT NULL,
    latency_bucket           INTEGER          NOT NULL,
    ttfb_ms                  BIGINT           NOT NULL,
    upstream_ms              BIGINT           NOT NULL,
    prompt_preview           VARCHAR(20000),
    answer_preview           VARCHAR(20000)
);

CREATE INDEX requests_ts ON requests (ts_micros, id);
CREATE INDEX requests_query_id ON requests (query_id);

-- One row per upstream call made for a request (answers, escalations, classifier calls). request_id is
-- requests.id; no foreign key, so the writer does not pay a lookup per attempt (the purge deletes both).
CREATE TABLE request_attempts (
    request_id               BIGINT           NOT NULL,
    attempt_index            INTEGER          NOT NULL,
    purpose                  VARCHAR(32),
    model                    VARCHAR(200),
    attempt_trigger          VARCHAR(300),
    status                   INTEGER          NOT NULL,
    input_tokens             BIGINT,
    output_tokens            BIGINT,
    cache_creation_tokens    BIGINT,
    cache_creation_5m_tokens BIGINT,
    cache_creation_1h_tokens BIGINT,
    cache_read_tokens        BIGINT,
    cost_usd                 DOUBLE PRECISION,
    latency_ms               BIGINT           NOT NULL,
    PRIMARY KEY (request_id, attempt_index)
);

-- Hourly totals maintained by the writer in the same transaction as the rows, so charts and reports over
-- long ranges read a few thousand rows instead of millions. '' stands for NULL in the key columns.
CREATE TABLE rollup_hourly (
    hour_epoch               BIGINT           NOT NULL,
    final_model              VARCHAR(200)     NOT NULL,
    tier                     VARCHAR(32)      NOT NULL,
    classifier_layer         VARCHAR(32)      NOT NULL,
    cache_kind               VARCHAR(32)      NOT NULL,
    requests                 BIGINT           NOT NULL,
    errors                   BIGINT           NOT NULL,
    escalated_requests       BIGINT           NOT NULL,
    escalations              BIGINT           NOT NULL,
    input_tokens             BIGINT           NOT NULL,
    output_tokens            BIGINT           NOT NULL,
    cache_creation_tokens    BIGINT           NOT NULL,
    cache_read_tokens        BIGINT           NOT NULL,
    cost_usd                 DOUBLE PRECISION NOT NULL,
    counterfactual_usd       DOUBLE PRECISION NOT NULL,
    saved_usd                DOUBLE PRECISION NOT NULL,
    latency_sum_ms           BIGINT           NOT NULL,
    PRIMARY KEY (hour_epoch, final_model, tier, classifier_layer, cache_kind)
);

-- Hourly latency histogram; latency_bucket indexes LatencyBuckets.UPPER_BOUNDS_MILLIS (last = +Inf).
CREATE TABLE latency_hourly (
    hour_epoch               BIGINT           NOT NULL,
    latency_bucket           INTEGER          NOT NULL,
    requests                 BIGINT           NOT NULL,
    PRIMARY KEY (hour_epoch, latency_bucket)
);

-- The same totals per UTC day (day_epoch = hour_epoch / 24), so ranges of weeks read a few hundred rows.
CREATE TABLE rollup_daily (
    day_epoch                BIGINT           NOT NULL,
    final_model              VARCHAR(200)     NOT NULL,
    tier                     VARCHAR(32)      NOT NULL,
    classifier_layer         VARCHAR(32)      NOT NULL,
    cache_kind               VARCHAR(32)      NOT NULL,
    requests                 BIGINT           NOT NULL,
    errors                   BIGINT           NOT NULL,
    escalated_requests       BIGINT           NOT NULL,
    escalations              BIGINT           NOT NULL,
    input_tokens             BIGINT           NOT NULL,
    output_tokens            BIGINT           NOT NULL,
    cache_creation_tokens    BIGINT           NOT NULL,
    cache_read_tokens        BIGINT           NOT NULL,
    cost_usd                 DOUBLE PRECISION NOT NULL,
    counterfactual_usd       DOUBLE PRECISION NOT NULL,
    saved_usd                DOUBLE PRECISION NOT NULL,
    latency_sum_ms           BIGINT           NOT NULL,
    PRIMARY KEY (day_epoch, final_model, tier, classifier_layer, cache_kind)
);

-- Daily latency histogram.
CREATE TABLE latency_daily (
    day_epoch                BIGINT           NOT NULL,
    latency_bucket           INTEGER          NOT NULL,
    requests                 BIGINT           NOT NULL,
    PRIMARY KEY (day_epoch, latency_bucket)
);
