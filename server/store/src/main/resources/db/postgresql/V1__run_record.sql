-- The run record, version 1, on PostgreSQL: the tables, columns and keys of db/migration/V1 (the
-- embedded SQLite record) in PostgreSQL's types: BIGINT for SQLite's 64-bit INTEGER, BYTEA for
-- BLOB, an identity column for AUTOINCREMENT. Released migrations are never edited.

CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    name            TEXT   NOT NULL,
    spec            BYTEA  NOT NULL,
    seed            BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL,
    state           TEXT   NOT NULL,
    status_message  TEXT   NOT NULL,
    parent_id       TEXT   NOT NULL DEFAULT '',
    fork_step       BIGINT NOT NULL DEFAULT 0,
    preset          TEXT   NOT NULL DEFAULT '',
    tags            TEXT   NOT NULL DEFAULT '',
    notes           TEXT   NOT NULL DEFAULT '',
    last_step       BIGINT NOT NULL DEFAULT 0,
    merged_samples  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE series (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused: the recorder caches ids of open series
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    observable  TEXT NOT NULL,
    layer       TEXT NOT NULL,
    UNIQUE (run_id, observable, layer)
);

CREATE TABLE scalar_chunks (
    series_id   BIGINT  NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    first_step  BIGINT  NOT NULL,
    last_step   BIGINT  NOT NULL,
    points      INTEGER NOT NULL,
    steps       BYTEA   NOT NULL,
    vals        BYTEA   NOT NULL,
    walls       BYTEA   NOT NULL,
    PRIMARY KEY (series_id, first_step)
);

CREATE TABLE events (
    run_id   TEXT   NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq      BIGINT NOT NULL,
    step     BIGINT NOT NULL,
    wall_ns  BIGINT NOT NULL,
    kind     TEXT   NOT NULL,
    state    TEXT   NOT NULL,
    message  TEXT   NOT NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE interventions (
    run_id    TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    step      BIGINT  NOT NULL,
    command   BYTEA   NOT NULL,
    PRIMARY KEY (run_id, position)
);

CREATE TABLE checkpoints (
    run_id      TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step        BIGINT  NOT NULL,
    file        TEXT    NOT NULL,
    size_bytes  BIGINT  NOT NULL,
    sha256      TEXT    NOT NULL,
    log_length  INTEGER NOT NULL,
    pinned      INTEGER NOT NULL DEFAULT 0,
    reason      TEXT    NOT NULL,
    created_ms  BIGINT  NOT NULL,
    PRIMARY KEY (run_id, step)
);
