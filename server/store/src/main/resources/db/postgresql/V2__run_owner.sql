-- Who a run belongs to (the owner named by the token that created it; '' when the server runs without authentication).
ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
