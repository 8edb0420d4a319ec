using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.PostgreSql
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
                type: "bytea",
                nullable: true);

            // INSERT … ON CONFLICT DO UPDATE on events and checkpoints is an UPDATE, which their triggers already refuse.
            // The head row was updatable at will: it now only moves forward and cannot be removed; a checkpoint must
            // cover more events than every earlier one.
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "AuditCheckpoints_refuse_replace" ON "AuditCheckpoints";
                DROP TRIGGER IF EXISTS "AuditHeads_refuse_rewind" ON "AuditHeads";
                DROP TRIGGER IF EXISTS "AuditHeads_refuse_delete" ON "AuditHeads";
                DROP TRIGGER IF EXISTS "AuditHeads_refuse_truncate" ON "AuditHeads";
                DROP FUNCTION IF EXISTS audit_checkpoint_grows();
                DROP FUNCTION IF EXISTS audit_refuse_rewind();
                """);
            migrationBuilder.DropColumn(
                name: "EventHashes",
                table: "AuditCheckpoints");
        }
    }
}
