using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditNoReplaceNoRewind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "EventHashes",
                table: "AuditCheckpoints",
                type: "BLOB",
                nullable: true);

            // INSERT OR REPLACE deletes the row it replaces without firing a DELETE trigger, and the head row was
            // updatable at will: an event or checkpoint is never inserted over an existing one, the head only moves forward.
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "AuditEvents_refuse_replace", "AuditCheckpoints_refuse_replace", "AuditHeads_refuse_rewind", "AuditHeads_refuse_replace", "AuditHeads_refuse_delete" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{trigger}";""");
            }
            migrationBuilder.DropColumn(
                name: "EventHashes",
                table: "AuditCheckpoints");
        }
    }
}
