using Microsoft.EntityFrameworkCore.Migrations;

namespace GovernancePortal.Data.Migrations.Sqlite;

/// <summary>
/// The part of the SQLite schema the EF model cannot describe: the triggers that make the audit trail append-only and
/// stored reports immutable. Hand-written, called at the end of the baseline's <c>Up</c> and the start of its <c>Down</c>.
/// </summary>
internal static class BaselineSql
{
    private static readonly string[] Triggers =
    [
        "AuditEvents_refuse_update", "AuditEvents_refuse_delete", "AuditCheckpoints_refuse_update", "AuditCheckpoints_refuse_delete",
        "AuditEvents_refuse_replace", "AuditCheckpoints_refuse_replace", "AuditHeads_refuse_rewind", "AuditHeads_refuse_replace",
        "AuditHeads_refuse_delete", "ReportFiles_refuse_update", "ReportFiles_refuse_delete",
    ];

    public static void Create(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "AuditEvents", "AuditCheckpoints" })
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER "{table}_refuse_update" BEFORE UPDATE ON "{table}"
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on {table} refused'); END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "{table}_refuse_delete" BEFORE DELETE ON "{table}"
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE on {table} refused'); END;
                """);
        }

        // INSERT OR REPLACE deletes the row it replaces without firing a DELETE trigger: an event or checkpoint is never
        // inserted over an existing one, and the head (seeded above) only moves forward.
        migrationBuilder.Sql("""
            CREATE TRIGGER "AuditEvents_refuse_replace" BEFORE INSERT ON "AuditEvents"
            WHEN EXISTS (SELECT 1 FROM "AuditEvents" WHERE "Sequence" = NEW."Sequence")
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an event with this sequence exists'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "AuditCheckpoints_refuse_replace" BEFORE INSERT ON "AuditCheckpoints"
            WHEN EXISTS (SELECT 1 FROM "AuditCheckpoints" WHERE "TreeSize" >= NEW."TreeSize")
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: a checkpoint must cover more events than every earlier one'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "AuditHeads_refuse_rewind" BEFORE UPDATE ON "AuditHeads"
            WHEN NEW."Sequence" <= OLD."Sequence" OR NEW."Id" <> OLD."Id"
            BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "AuditHeads_refuse_replace" BEFORE INSERT ON "AuditHeads"
            WHEN EXISTS (SELECT 1 FROM "AuditHeads")
            BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward: it cannot be inserted again'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "AuditHeads_refuse_delete" BEFORE DELETE ON "AuditHeads"
            BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward: DELETE refused'); END;
            """);

        // A printed report is stored once, like an audit event: the database refuses to change or remove its bytes.
        migrationBuilder.Sql("""
            CREATE TRIGGER "ReportFiles_refuse_update" BEFORE UPDATE ON "ReportFiles"
            BEGIN SELECT RAISE(ABORT, 'stored reports are immutable: UPDATE on ReportFiles refused'); END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER "ReportFiles_refuse_delete" BEFORE DELETE ON "ReportFiles"
            BEGIN SELECT RAISE(ABORT, 'stored reports are immutable: DELETE on ReportFiles refused'); END;
            """);
    }

    public static void Drop(MigrationBuilder migrationBuilder)
    {
        foreach (var trigger in Triggers)
        {
            migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{trigger}";""");
        }
    }
}
