using Microsoft.EntityFrameworkCore.Migrations;

namespace GovernancePortal.Data.Migrations.PostgreSql;

/// <summary>
/// The part of the PostgreSQL schema the EF model cannot describe: the head's predecessor column the statement-level
/// chaining returns (PostgreSqlAppend), and the triggers that make the audit trail append-only and stored reports
/// immutable. Hand-written, called at the end of the baseline's <c>Up</c> and the start of its <c>Down</c>. The runtime
/// role's privileges are granted by <c>migrate</c> (db/postgresql/runtime-role.sql), not here.
/// </summary>
internal static class BaselineSql
{
    public static void Create(MigrationBuilder migrationBuilder)
    {
        // The portal chains each event in the inserting statement: one UPDATE of the head row returns the sequence, the
        // predecessor's hash and the new hash, so the head keeps its predecessor. Set before the rewind trigger exists.
        migrationBuilder.Sql("""
            ALTER TABLE "AuditHeads" ADD "PreviousHash" character(64);
            UPDATE "AuditHeads" SET "PreviousHash" = "Hash";
            """);

        migrationBuilder.Sql("""
            CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
            END $$;
            """);
        foreach (var table in new[] { "AuditEvents", "AuditCheckpoints" })
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER "{table}_refuse_change" BEFORE UPDATE OR DELETE ON "{table}"
                FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "{table}_refuse_truncate" BEFORE TRUNCATE ON "{table}"
                FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
                """);
        }

        // INSERT … ON CONFLICT DO UPDATE on events and checkpoints is an UPDATE, which the triggers above refuse.
        // The head row only moves forward and cannot be removed; a checkpoint must cover more events than every earlier one.
        migrationBuilder.Sql("""
            CREATE FUNCTION audit_refuse_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit trail only moves forward: % on % refused', TG_OP, TG_TABLE_NAME;
            END $$;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "AuditHeads_refuse_rewind" BEFORE UPDATE ON "AuditHeads"
            FOR EACH ROW WHEN (NEW."Sequence" <= OLD."Sequence" OR NEW."Id" <> OLD."Id")
            EXECUTE FUNCTION audit_refuse_rewind();
            CREATE TRIGGER "AuditHeads_refuse_delete" BEFORE DELETE ON "AuditHeads"
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_rewind();
            CREATE TRIGGER "AuditHeads_refuse_truncate" BEFORE TRUNCATE ON "AuditHeads"
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_rewind();
            """);
        migrationBuilder.Sql("""
            CREATE FUNCTION audit_checkpoint_grows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM "AuditCheckpoints" WHERE "TreeSize" >= NEW."TreeSize") THEN
                    RAISE EXCEPTION 'the audit trail is append-only: a checkpoint must cover more events than every earlier one';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER "AuditCheckpoints_refuse_replace" BEFORE INSERT ON "AuditCheckpoints"
            FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_grows();
            """);

        // A printed report is stored once, like an audit event: the database refuses to change or remove its bytes.
        migrationBuilder.Sql("""
            CREATE FUNCTION report_file_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'stored reports are immutable: % on % refused', TG_OP, TG_TABLE_NAME;
            END $$;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "ReportFiles_refuse_change" BEFORE UPDATE OR DELETE ON "ReportFiles"
            FOR EACH ROW EXECUTE FUNCTION report_file_refuse_change();
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "ReportFiles_refuse_truncate" BEFORE TRUNCATE ON "ReportFiles"
            FOR EACH STATEMENT EXECUTE FUNCTION report_file_refuse_change();
            """);
    }

    /// <summary>The tables' triggers go with the tables; the functions do not.</summary>
    public static void Drop(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP FUNCTION IF EXISTS audit_refuse_change() CASCADE;
            DROP FUNCTION IF EXISTS audit_refuse_rewind() CASCADE;
            DROP FUNCTION IF EXISTS audit_checkpoint_grows() CASCADE;
            DROP FUNCTION IF EXISTS report_file_refuse_change() CASCADE;
            """);
    }
}
