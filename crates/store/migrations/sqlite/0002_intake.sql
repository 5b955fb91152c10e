-- Intake (issue 3): what an agency referral carries beyond the person,
-- public self-referrals, police incident imports.
-- Shipped migrations are never edited: add a new file.
--
-- People named on a referral (household members, children, the alleged
-- perpetrator) are rows in `people`, linked to the referral by
-- `referral_people` (role 'child', 'other' or 'alleged_perpetrator') and to
-- the victim by `relationships` (0001). The tables below add what 0001 has
-- no place for.

-- One row per referral made through an intake route (agency form, public
-- form, police import): interpreter and access needs, and the form's
-- submission key so a resubmitted form never makes a second referral.
CREATE TABLE referral_intake (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals(id),
    -- 'agency_form' | 'public' | 'police_import'
    route TEXT NOT NULL,
    -- NULL: no interpreter needed (or not known).
    interpreter_language TEXT,
    -- Comma-separated AccessNeed keys (haven_domain::intake::AccessNeed).
    access_needs TEXT NOT NULL DEFAULT '',
    access_notes TEXT,
    -- Children in the household as stated (the named children are in
    -- referral_people; this also counts children who were not named).
    children_in_household INTEGER,
    submission_key TEXT UNIQUE,
    created_at TEXT NOT NULL
);

-- Presenting needs (haven_domain::intake::PresentingNeed keys, e.g.
-- 'accommodation' → consider refuge / sanctuary when routing).
CREATE TABLE referral_needs (
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    need TEXT NOT NULL,
    PRIMARY KEY (referral_id, need)
);

-- Details of a household member or child as stated on one referral.
CREATE TABLE referral_household (
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    -- 'child' | 'other'
    role TEXT NOT NULL,
    -- Relationship to the victim in the referrer's words ("son", "mother").
    relationship TEXT,
    -- School, nursery or college.
    school TEXT,
    PRIMARY KEY (referral_id, person_id)
);

-- A referral from the public page (no login). The referral itself is in
-- `referrals` with source_agency_kind 'self' or 'friend_family', status
-- 'new', no referring agency and no team: the front door's triage queue.
CREATE TABLE public_referrals (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals(id),
    -- 'self' | 'friend_family'
    route TEXT NOT NULL CHECK (route IN ('self', 'friend_family')),
    -- Friend/family route: who referred, and how to reach them.
    referrer_name TEXT,
    referrer_relationship TEXT,
    referrer_phone TEXT,
    referrer_email TEXT,
    -- Friend/family: does the person know and agree? NULL: not known.
    person_knows INTEGER,
    received_at TEXT NOT NULL
);

-- One police incident file imported (CLI `haven import police-incidents`,
-- the upload page or the API). One transaction per file: a batch row
-- exists only if the whole file was applied.
CREATE TABLE police_import_batches (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    -- SHA-256 of the file's bytes.
    file_sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    -- Rows whose incident_id was already in the database (skipped).
    already_present INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    people_created INTEGER NOT NULL,
    people_matched INTEGER NOT NULL
);

-- One police domestic abuse incident. THIS IS THE TABLE TO COUNT for MARAC
-- escalation ("3+ police incidents in 12 months"): incidents per victim by
-- incident_date. Each row also has a referral (referrals.police_incident = 1,
-- referral_date = incident_date, source_agency_kind 'police', risk_level =
-- the police risk grade) so it reaches the triage queue. Agency-form
-- referrals made by police users have police_incident = 1 but no row here;
-- the view `police_incident_dates` below unites both, one row per incident.
CREATE TABLE police_incidents (
    id INTEGER PRIMARY KEY,
    -- The force's reference, upper-cased. Unique: importing a file twice adds nothing.
    incident_id TEXT NOT NULL UNIQUE,
    -- YYYY-MM-DD
    incident_date TEXT NOT NULL,
    victim_person_id INTEGER NOT NULL REFERENCES people(id),
    suspect_person_id INTEGER REFERENCES people(id),
    referral_id INTEGER NOT NULL UNIQUE REFERENCES referrals(id),
    -- 'standard' | 'medium' | 'high'
    risk_grade TEXT NOT NULL CHECK (risk_grade IN ('standard', 'medium', 'high')),
    dash_score INTEGER,
    -- 1 children present, 0 none, NULL not recorded.
    children_present INTEGER,
    -- How many, when counted (NULL when only yes/no was given).
    children_count INTEGER,
    batch_id INTEGER REFERENCES police_import_batches(id),
    -- Line of the source file the incident came from.
    source_line INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX police_incidents_victim_date ON police_incidents(victim_person_id, incident_date);
CREATE INDEX police_incidents_suspect ON police_incidents(suspect_person_id);

-- Every police incident known for a person (victim), whether imported or
-- sent on the agency form by a police user: (person_id, incident_date,
-- referral_id). Use this for "3+ police incidents in 12 months".
CREATE VIEW police_incident_dates AS
    SELECT r.person_id AS person_id, r.referral_date AS incident_date, r.id AS referral_id
    FROM referrals r WHERE r.police_incident = 1;
