-- Haven initial schema (SQLite). Shipped migrations are never edited: add a new file.

CREATE TABLE lots (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE districts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lot_id INTEGER NOT NULL REFERENCES lots(id),
    population INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    fte REAL NOT NULL DEFAULT 0,
    safe_caseload_per_fte INTEGER
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    team_id INTEGER REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    given_key TEXT NOT NULL,
    family_key TEXT NOT NULL,
    date_of_birth TEXT,
    sex TEXT NOT NULL,
    postcode TEXT,
    postcode_district TEXT,
    household_id INTEGER REFERENCES households(id),
    restricted INTEGER NOT NULL DEFAULT 0,
    gender_identity TEXT NOT NULL DEFAULT 'not_known',
    sexual_orientation TEXT NOT NULL DEFAULT 'not_known',
    ethnicity TEXT NOT NULL DEFAULT 'not_known',
    disability TEXT NOT NULL DEFAULT 'not_known',
    religion TEXT NOT NULL DEFAULT 'not_known',
    pregnant TEXT NOT NULL DEFAULT 'not_known',
    marital_status TEXT NOT NULL DEFAULT 'not_known',
    immigration_status TEXT NOT NULL DEFAULT 'not_known',
    nrpf TEXT NOT NULL DEFAULT 'not_known',
    created_at TEXT NOT NULL
);
CREATE INDEX people_family_key ON people(family_key);
CREATE INDEX people_given_key ON people(given_key);
CREATE INDEX people_name_keys ON people(family_key, given_key);
CREATE INDEX people_dob ON people(date_of_birth);
CREATE INDEX people_postcode ON people(postcode);
CREATE INDEX people_postcode_district ON people(postcode_district);

CREATE TABLE relationships (
    id INTEGER PRIMARY KEY,
    from_person_id INTEGER NOT NULL REFERENCES people(id),
    to_person_id INTEGER NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    UNIQUE (from_person_id, to_person_id, kind)
);
CREATE INDEX relationships_to ON relationships(to_person_id);

CREATE TABLE safe_contacts (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    safe_to_call INTEGER,
    safe_to_text INTEGER,
    safe_to_email INTEGER,
    safe_to_leave_message INTEGER,
    safe_times TEXT,
    phone TEXT,
    email TEXT,
    safe_address TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    source_agency_kind TEXT NOT NULL,
    referring_agency_id INTEGER REFERENCES agencies(id),
    referred_by_user_id INTEGER REFERENCES users(id),
    referral_date TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    consent INTEGER NOT NULL,
    lawful_basis TEXT NOT NULL,
    risk_level TEXT,
    dash_score INTEGER,
    police_incident INTEGER NOT NULL DEFAULT 0,
    district_id INTEGER REFERENCES districts(id),
    assigned_team_id INTEGER REFERENCES teams(id),
    status TEXT NOT NULL DEFAULT 'new'
);
CREATE INDEX referrals_person ON referrals(person_id);
CREATE INDEX referrals_team ON referrals(assigned_team_id, status);
CREATE INDEX referrals_agency ON referrals(referring_agency_id);
CREATE INDEX referrals_status_date ON referrals(status, referral_date);
CREATE INDEX referrals_date ON referrals(referral_date);

-- Other people named on a referral: the alleged perpetrator, children, others.
CREATE TABLE referral_people (
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    PRIMARY KEY (referral_id, person_id, role)
);
CREATE INDEX referral_people_person ON referral_people(person_id);

-- Append-only, hash-chained audit log. hash = SHA-256(prev_hash || canonical row).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    source TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_record ON audit_log(record_type, record_id);
CREATE INDEX audit_user ON audit_log(user_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
