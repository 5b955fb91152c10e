-- Casework (issue 3): DASH risk assessments, children's own risk, routing
-- decisions with the capacity seen at the time, contact attempts, MARAC.
-- Shipped migrations are never edited: add a new file.

-- Who a referral is assigned to within its team (the key worker).
ALTER TABLE referrals ADD COLUMN assigned_user_id INTEGER REFERENCES users(id);
-- Contracted hours as a fraction of full time, for the caseload monitor.
ALTER TABLE users ADD COLUMN fte REAL NOT NULL DEFAULT 1.0;

-- One DASH risk identification checklist, as completed. Full history per
-- person: rows are only ever added.
CREATE TABLE dash_assessments (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    referral_id INTEGER REFERENCES referrals(id),
    assessed_by_user_id INTEGER REFERENCES users(id),
    assessed_at TEXT NOT NULL,
    score INTEGER NOT NULL,
    not_known INTEGER NOT NULL,
    computed_level TEXT NOT NULL,
    level TEXT NOT NULL,
    raised_by_judgement INTEGER NOT NULL DEFAULT 0,
    judgement_level TEXT,
    judgement_reason TEXT,
    threshold_high INTEGER NOT NULL,
    threshold_medium INTEGER NOT NULL,
    -- JSON array of the plain-English reasons shown at the time.
    reasons TEXT NOT NULL,
    marac_eligible INTEGER NOT NULL DEFAULT 0,
    -- JSON array of the MARAC eligibility reasons at the time.
    eligibility TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX dash_assessments_person ON dash_assessments(person_id, id);

CREATE TABLE dash_answers (
    assessment_id INTEGER NOT NULL REFERENCES dash_assessments(id),
    factor_key TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'not_known')),
    notes TEXT,
    PRIMARY KEY (assessment_id, factor_key)
);

-- A child's own risk, never derived from the adult's (seed 004 Appendix 2).
CREATE TABLE child_risk_assessments (
    id INTEGER PRIMARY KEY,
    child_person_id INTEGER NOT NULL REFERENCES people(id),
    assessed_by_user_id INTEGER REFERENCES users(id),
    assessed_at TEXT NOT NULL,
    level TEXT NOT NULL,
    -- Comma-separated indicator keys.
    indicators TEXT NOT NULL DEFAULT '',
    reason TEXT
);
CREATE INDEX child_risk_child ON child_risk_assessments(child_person_id, id);

-- A routing decision, with the capacity the worker saw when making it.
CREATE TABLE routing_decisions (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    decided_by_user_id INTEGER REFERENCES users(id),
    decided_at TEXT NOT NULL,
    risk_level TEXT NOT NULL,
    -- JSON: the pathways and reasons, the needs, the eligibility, and
    -- each team's capacity at the moment of routing.
    pathways TEXT NOT NULL,
    needs TEXT NOT NULL DEFAULT '[]',
    marac_eligible INTEGER NOT NULL DEFAULT 0,
    capacity TEXT NOT NULL DEFAULT '[]',
    assigned_team_id INTEGER REFERENCES teams(id),
    assigned_user_id INTEGER REFERENCES users(id),
    waiting_list INTEGER NOT NULL DEFAULT 0,
    notes TEXT
);
CREATE INDEX routing_decisions_referral ON routing_decisions(referral_id, id);

CREATE TABLE contact_attempts (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    user_id INTEGER REFERENCES users(id),
    method TEXT NOT NULL,
    outcome TEXT NOT NULL,
    -- UTC, YYYY-MM-DDTHH:MM:SS
    attempted_at TEXT NOT NULL,
    first_contact INTEGER NOT NULL DEFAULT 0,
    notes TEXT,
    -- JSON array: went against the safe-contact preferences.
    warnings TEXT NOT NULL DEFAULT '[]',
    recorded_at TEXT NOT NULL
);
CREATE INDEX contact_attempts_referral ON contact_attempts(referral_id, attempted_at);

-- MARAC areas; the agencies that are members of each (their staff read and
-- write research); the districts whose cases it hears.
CREATE TABLE marac_areas (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    adult_female_population INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE marac_area_agencies (
    area_id INTEGER NOT NULL REFERENCES marac_areas(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (area_id, agency_id)
);

CREATE TABLE marac_area_districts (
    area_id INTEGER NOT NULL REFERENCES marac_areas(id),
    district_id INTEGER NOT NULL REFERENCES districts(id) UNIQUE,
    PRIMARY KEY (area_id, district_id)
);

CREATE TABLE marac_meetings (
    id INTEGER PRIMARY KEY,
    area_id INTEGER NOT NULL REFERENCES marac_areas(id),
    meeting_date TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (area_id, meeting_date)
);

-- A referral to MARAC and, once heard, its outcome.
CREATE TABLE marac_cases (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    referral_id INTEGER REFERENCES referrals(id),
    area_id INTEGER NOT NULL REFERENCES marac_areas(id),
    meeting_id INTEGER REFERENCES marac_meetings(id),
    referring_agency_id INTEGER REFERENCES agencies(id),
    referring_agency_kind TEXT NOT NULL,
    referred_by_user_id INTEGER REFERENCES users(id),
    referred_on TEXT NOT NULL,
    risk_level TEXT,
    -- JSON array of eligibility reasons.
    reasons TEXT NOT NULL DEFAULT '[]',
    repeat INTEGER NOT NULL DEFAULT 0,
    children INTEGER NOT NULL DEFAULT 0,
    -- referred → listed (on an agenda) → heard; or withdrawn
    status TEXT NOT NULL DEFAULT 'referred',
    outcome TEXT,
    outcome_notes TEXT,
    heard_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX marac_cases_person ON marac_cases(person_id);
CREATE INDEX marac_cases_meeting ON marac_cases(meeting_id);
CREATE INDEX marac_cases_area_heard ON marac_cases(area_id, heard_on);

-- What each agency knows about a case: one entry per agency, MARAC members only.
CREATE TABLE marac_research (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES marac_cases(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    author_user_id INTEGER REFERENCES users(id),
    content TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (case_id, agency_id)
);

CREATE TABLE marac_actions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES marac_cases(id),
    description TEXT NOT NULL,
    owner_agency_id INTEGER NOT NULL REFERENCES agencies(id),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_by_user_id INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX marac_actions_owner ON marac_actions(owner_agency_id, status);
CREATE INDEX marac_actions_case ON marac_actions(case_id);

CREATE TABLE marac_action_updates (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES marac_actions(id),
    user_id INTEGER REFERENCES users(id),
    agency_id INTEGER REFERENCES agencies(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX marac_action_updates_action ON marac_action_updates(action_id, id);
