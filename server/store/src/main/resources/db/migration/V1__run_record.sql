-- The run record, version 1. Released migrations are never edited: change the schema in V2+.

-- One row per run. spec and the commands are opaque bytes (the app's serialised protobuf).
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    name            TEXT    NOT NULL,
    spec            BLOB    NOT NULL,
    seed            INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    status_message  TEXT    NOT NULL,
    parent_id       TEXT    NOT NULL DEFAULT '',
    fork_step       INTEGER NOT NULL DEFAULT 0,
    preset          TEXT    NOT NULL DEFAULT '',
    tags            TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    last_step       INTEGER NOT NULL DEFAULT 0,
    merged_samples  INTEGER NOT NULL DEFAULT 0
);

-- One scalar series: an observable, network-wide (layer '') or of one layer or parameter.
CREATE TABLE series (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: the recorder caches ids of open series
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    observable  TEXT NOT NULL,
    layer       TEXT NOT NULL,
    UNIQUE (run_id, observable, layer)
);

-- Points of a series in chunks of consecutive recorded steps: packed little-endian arrays
-- (int64 steps, float64 values, int64 wall-clock nanoseconds), so a million-point history is
-- a few thousand rows. A chunk is rewritten while it fills.
CREATE TABLE scalar_chunks (
    series_id   INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    first_step  INTEGER NOT NULL,
    last_step   INTEGER NOT NULL,
    points      INTEGER NOT NULL,
    steps       BLOB    NOT NULL,
    vals        BLOB    NOT NULL,
    walls       BLOB    NOT NULL,
    PRIMARY KEY (series_id, first_step)
) WITHOUT ROWID;

-- State changes and interventions, in order.
CREATE TABLE events (
    run_id   TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    step     INTEGER NOT NULL,
    wall_ns  INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    state    TEXT    NOT NULL,
    message  TEXT    NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- The intervention log: what a replay applies, in order (position = index in the log).
CREATE TABLE interventions (
    run_id    TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    step      INTEGER NOT NULL,
    command   BLOB    NOT NULL,
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;

-- Checkpoint files in the data directory; log_length = interventions applied before it.
CREATE TABLE checkpoints (
    run_id      TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step        INTEGER NOT NULL,
    file        TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    log_length  INTEGER NOT NULL,
    pinned      INTEGER NOT NULL DEFAULT 0,
    reason      TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
