-- Sweeps (issue 14), as db/migration/V3 in PostgreSQL's types.
CREATE TABLE sweeps (
    id          TEXT PRIMARY KEY,
    spec        BYTEA  NOT NULL,
    state       TEXT   NOT NULL,
    created_ms  BIGINT NOT NULL,
    owner       TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE sweep_points (
    sweep_id    TEXT    NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    point       BYTEA   NOT NULL,
    run_id      TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (sweep_id, idx)
);
