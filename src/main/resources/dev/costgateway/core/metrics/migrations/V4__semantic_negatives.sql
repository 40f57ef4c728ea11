-- Metrics schema, version 4: semantic-cache hits a user rejected ("wrong answer for this prompt"), kept so that
-- the pair is never served again after a restart, and by every gateway sharing the database (SemanticNegative).
-- Portable SQL (H2 2.x and PostgreSQL). Adds only its own table, so it applies before or after V5-V8.
--
-- Vectors only, no prompt text: the unit embeddings (float32, big-endian) of the stored prompt whose answer was
-- served and of the prompt it was served to. group_key is the semantic cache's hash of everything but the last
-- user turn (scope, model, system, tools, earlier turns, sampling): a negative applies only within its group.
CREATE TABLE semantic_negatives (
    group_key                VARCHAR(64)      NOT NULL,
    -- the embedding model the vectors came from; rows of another model are ignored
    model                    VARCHAR(100)     NOT NULL,
    stored_vector            BYTEA            NOT NULL,
    asked_vector             BYTEA            NOT NULL,
    similarity               DOUBLE PRECISION NOT NULL,
    rejected_at_millis       BIGINT           NOT NULL
);

CREATE INDEX semantic_negatives_model ON semantic_negatives (model, rejected_at_millis);
