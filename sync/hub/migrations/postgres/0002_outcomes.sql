-- The outcome of each mutation a client sent recently, so that a retry
-- after a lost answer gets the original outcome (rejected with its reason,
-- conflicts, values the hub merged) instead of a bare "duplicate". A push
-- forgets the outcomes below its first mutation number: the client has
-- marked those pushed. detail is JSON: reason, conflict ids, values the hub
-- stored instead of the sent ones, and the field versions that differ from
-- seq.
CREATE TABLE hub_outcomes (
    client_id TEXT NOT NULL,
    mutation  BIGINT NOT NULL,
    status    TEXT NOT NULL,
    seq       BIGINT NOT NULL DEFAULT 0,
    detail    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (client_id, mutation)
);
