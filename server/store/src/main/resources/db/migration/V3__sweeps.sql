-- Sweeps (issue 14): what was asked for (an eiscope.v1.SweepSpec, serialized), its state, and one row per point with
-- the point's varied values (an eiscope.v1.SweepRun, serialized) and, once made, its run. Runs stay ordinary runs: a
-- deleted run leaves its point with the id of a run that no longer exists (the sweep counts it as done).
CREATE TABLE sweeps (
    id          TEXT PRIMARY KEY,
    spec        BLOB    NOT NULL,
    state       TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    owner       TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE sweep_points (
    sweep_id    TEXT    NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    point       BLOB    NOT NULL,
    run_id      TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (sweep_id, idx)
);
