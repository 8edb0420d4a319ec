-- What the portal's runtime role may do, applied by `migrate` when it runs as the owning role
-- (ConnectionStrings:GovernanceMigrations) and ConnectionStrings:Governance names another user: that user becomes the
-- runtime role. Idempotent; applied after every migration, so new tables are covered. By hand, as the owner:
--   psql -v runtime_role=governance_portal -f db/postgresql/runtime-role.sql
-- The runtime role must exist (docker-compose creates it in db/postgresql/init-roles.sh) and own nothing: only the owner
-- may drop or disable the audit tables' triggers, drop or truncate tables (ADR-025).

GRANT USAGE ON SCHEMA public TO :"runtime_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"runtime_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"runtime_role";

-- The audit trail: read and append only. The head row moves on in the statement that appends an event, so its three
-- columns may be updated; its triggers refuse moving it back or removing it. The record of verification runs, from
-- which incremental runs start, is append-only too.
REVOKE ALL ON "AuditEvents", "AuditCheckpoints", "AuditHeads", "AuditVerifications", "__EFMigrationsHistory" FROM :"runtime_role";
GRANT SELECT, INSERT ON "AuditEvents", "AuditCheckpoints", "AuditVerifications" TO :"runtime_role";
GRANT SELECT ON "AuditHeads", "__EFMigrationsHistory" TO :"runtime_role";
GRANT UPDATE ("Sequence", "PreviousHash", "Hash") ON "AuditHeads" TO :"runtime_role";

-- Stored report files: read and add only, like the trail that registers them (their triggers refuse the rest too).
REVOKE ALL ON "ReportFiles" FROM :"runtime_role";
GRANT SELECT, INSERT ON "ReportFiles" TO :"runtime_role";

-- Hangfire.PostgreSql creates and upgrades its own tables at start, as the runtime role: the owner only provides the
-- schema. Tables an earlier single-role setup created there stay usable.
CREATE SCHEMA IF NOT EXISTS hangfire;
GRANT USAGE, CREATE ON SCHEMA hangfire TO :"runtime_role";
GRANT ALL ON ALL TABLES IN SCHEMA hangfire TO :"runtime_role";
GRANT ALL ON ALL SEQUENCES IN SCHEMA hangfire TO :"runtime_role";
