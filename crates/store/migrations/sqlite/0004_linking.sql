-- Record linkage (issue 5): link runs, scored pairs, the review queue,
-- reviewers' decisions, reversible merges.
-- Shipped migrations are never edited: add a new file.

-- A merged record points at the record it was merged into. It keeps its own
-- row (so an unmerge can restore it) but leaves searches, suggestions and
-- link runs.
ALTER TABLE people ADD COLUMN merged_into INTEGER REFERENCES people(id);
CREATE INDEX people_merged_into ON people(merged_into);

-- One run of haven-linkage over every (unmerged) person record.
CREATE TABLE link_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    -- Username, or system:NAME for the scheduler and the CLI.
    run_by TEXT NOT NULL,
    records INTEGER NOT NULL,
    -- Pairs at or above the accept threshold (same person, for counting).
    accepted_pairs INTEGER NOT NULL,
    -- Pairs between the review and accept thresholds.
    review_pairs INTEGER NOT NULL,
    -- Review pairs left out because a reviewer already said "different people".
    review_pairs_skipped INTEGER NOT NULL DEFAULT 0,
    -- Clusters of two or more records.
    clusters INTEGER NOT NULL,
    accept_threshold REAL NOT NULL,
    review_threshold REAL NOT NULL,
    reject_threshold REAL NOT NULL,
    -- 1 when m/u were estimated from these records, 0 for the built-in model.
    trained INTEGER NOT NULL,
    -- The model (haven_linkage::Model as JSON): intake suggestions reuse it.
    model TEXT NOT NULL
);

-- Cluster membership of the run, for records in clusters of two or more
-- (everyone else is their own cluster). cluster = smallest person id in it.
CREATE TABLE link_clusters (
    run_id INTEGER NOT NULL REFERENCES link_runs(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    cluster INTEGER NOT NULL,
    PRIMARY KEY (run_id, person_id)
);
CREATE INDEX link_clusters_cluster ON link_clusters(run_id, cluster);

-- Scored pairs of a run: person_a < person_b.
CREATE TABLE link_pairs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES link_runs(id),
    person_a INTEGER NOT NULL REFERENCES people(id),
    person_b INTEGER NOT NULL REFERENCES people(id),
    probability REAL NOT NULL,
    match_weight REAL NOT NULL,
    -- 'accept' | 'review'
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'review')),
    -- haven_linkage::Explanation as JSON (each field's contribution).
    explanation TEXT NOT NULL,
    -- accept pairs: 'linked'; review pairs: 'open' → 'confirmed' | 'rejected',
    -- or 'superseded' by a later run.
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX link_pairs_status ON link_pairs(status, run_id);
CREATE INDEX link_pairs_people ON link_pairs(person_a, person_b);

-- A reviewer's word on two records, remembered across runs: 'different'
-- pairs are never suggested again; 'same' pairs were merged.
CREATE TABLE link_decisions (
    person_a INTEGER NOT NULL REFERENCES people(id),
    person_b INTEGER NOT NULL REFERENCES people(id),
    decision TEXT NOT NULL CHECK (decision IN ('same', 'different')),
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (person_a, person_b)
);

-- A merge of `merged` into `survivor`; unmerged_at set when reversed.
CREATE TABLE person_merges (
    id INTEGER PRIMARY KEY,
    survivor INTEGER NOT NULL REFERENCES people(id),
    merged INTEGER NOT NULL REFERENCES people(id),
    pair_id INTEGER REFERENCES link_pairs(id),
    merged_at TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    unmerged_at TEXT,
    unmerged_by TEXT
);
CREATE INDEX person_merges_merged ON person_merges(merged, unmerged_at);

-- Exactly which rows a merge repointed from `merged` to `survivor`: the
-- table, the column and the row's rowid after the move. Unmerge sets each
-- back. Rows that could not move (a duplicate of a row the survivor already
-- has, or a relationship between the two) stay with the merged record.
CREATE TABLE person_merge_moves (
    merge_id INTEGER NOT NULL REFERENCES person_merges(id),
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    row_key INTEGER NOT NULL,
    PRIMARY KEY (merge_id, table_name, column_name, row_key)
);
