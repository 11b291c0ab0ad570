import type { Migration } from '../sql/migration';

/**
 * The SQLite schema, one entry per version. Never edit an applied migration; add a new one.
 * Instants are ISO-8601 UTC text, booleans 0/1, JSON as text.
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'cmr data',
    sql: `
CREATE TABLE subscribers (
  identity TEXT PRIMARY KEY,
  display_name TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'barred')),
  cmr_enabled INTEGER NOT NULL CHECK (cmr_enabled IN (0, 1)),
  library_capacity INTEGER NOT NULL CHECK (library_capacity >= 0),
  time_zone TEXT NOT NULL,
  privacy_copy TEXT NOT NULL CHECK (privacy_copy IN ('everyone', 'contacts', 'nobody')),
  privacy_contacts TEXT NOT NULL
);
CREATE TABLE resources (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  provider TEXT,
  media_uri TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('audio', 'video')),
  duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
  copyable INTEGER NOT NULL CHECK (copyable IN (0, 1)),
  price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
  currency TEXT NOT NULL,
  valid_from TEXT,
  valid_until TEXT
);
CREATE TABLE privacy_overrides (
  owner TEXT NOT NULL REFERENCES subscribers (identity) ON DELETE CASCADE,
  resource_id TEXT NOT NULL REFERENCES resources (id),
  position INTEGER NOT NULL,
  copy TEXT NOT NULL CHECK (copy IN ('everyone', 'contacts', 'nobody')),
  PRIMARY KEY (owner, resource_id)
);
CREATE INDEX privacy_overrides_resource ON privacy_overrides (resource_id);
CREATE TABLE caller_groups (
  owner TEXT NOT NULL REFERENCES subscribers (identity) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT,
  members TEXT NOT NULL,
  PRIMARY KEY (owner, id)
);
CREATE TABLE ringing_rules (
  subscriber TEXT PRIMARY KEY REFERENCES subscribers (identity) ON DELETE CASCADE,
  doc TEXT NOT NULL
);
CREATE TABLE ringing_rule_resources (
  subscriber TEXT NOT NULL REFERENCES ringing_rules (subscriber) ON DELETE CASCADE,
  resource_id TEXT NOT NULL REFERENCES resources (id),
  PRIMARY KEY (subscriber, resource_id)
);
CREATE INDEX ringing_rule_resources_resource ON ringing_rule_resources (resource_id);
CREATE TABLE ringing_rule_groups (
  subscriber TEXT NOT NULL REFERENCES ringing_rules (subscriber) ON DELETE CASCADE,
  group_id TEXT NOT NULL,
  PRIMARY KEY (subscriber, group_id),
  FOREIGN KEY (subscriber, group_id) REFERENCES caller_groups (owner, id)
);
CREATE TABLE library_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL REFERENCES subscribers (identity) ON DELETE CASCADE,
  resource_id TEXT NOT NULL REFERENCES resources (id),
  acquisition TEXT NOT NULL CHECK (acquisition IN ('provisioned', 'copy')),
  acquired_at TEXT NOT NULL,
  copied_from TEXT,
  call_id TEXT,
  UNIQUE (owner, resource_id)
);
CREATE INDEX library_entries_resource ON library_entries (resource_id);
CREATE TABLE copy_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  requester TEXT NOT NULL,
  owner TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  call_id TEXT NOT NULL,
  trigger TEXT NOT NULL,
  outcome TEXT NOT NULL,
  charge_reference TEXT,
  price_minor INTEGER,
  currency TEXT,
  requested_at TEXT NOT NULL,
  completed_at TEXT NOT NULL
);
CREATE INDEX copy_records_requester ON copy_records (requester, seq);
CREATE INDEX copy_records_owner ON copy_records (owner, seq);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
`,
  },
  {
    version: 2,
    name: 'copy journal and dead letters',
    sql: `
CREATE TABLE copy_attempts (
  idempotency_key TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('requested', 'charged', 'copied', 'failed', 'refunded')),
  resolution TEXT NOT NULL CHECK (resolution IN ('complete', 'undo')),
  charge_key TEXT NOT NULL,
  requester TEXT NOT NULL,
  owner TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  title TEXT NOT NULL,
  price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
  currency TEXT NOT NULL,
  call_id TEXT NOT NULL,
  icid TEXT,
  trigger TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  charge_reference TEXT,
  recovery_tries INTEGER NOT NULL DEFAULT 0,
  detail TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX copy_attempts_unfinished ON copy_attempts (updated_at) WHERE state IN ('requested', 'charged');
ALTER TABLE outbox ADD COLUMN dead_at TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
UPDATE outbox SET dead_at = created_at, last_error = 'parked before dead letters existed'
  WHERE delivered_at IS NULL AND next_attempt_at >= '9999-01-01';
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead ON outbox (seq) WHERE dead_at IS NOT NULL;
`,
  },
];
