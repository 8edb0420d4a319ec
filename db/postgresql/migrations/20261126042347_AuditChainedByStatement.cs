using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AuditChainedByStatement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hand-written: the portal now chains each event in the inserting statement itself (PostgreSqlAppend), one
            // UPDATE of the head row that returns the sequence, the predecessor's hash and the new hash. That costs less than a PL/pgSQL row trigger, and the head row keeps the predecessor for it to return.
            migrationBuilder.Sql("""DROP TRIGGER "AuditEvents_chain" ON "AuditEvents";""");
            migrationBuilder.Sql("DROP FUNCTION audit_chain_append();");
            migrationBuilder.Sql("""
                ALTER TABLE "AuditHeads" ADD "PreviousHash" character(64);
                UPDATE "AuditHeads" h SET "PreviousHash" = COALESCE(
                    (SELECT e."PreviousHash" FROM "AuditEvents" e WHERE e."Sequence" = h."Sequence"), h."Hash");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "AuditHeads" DROP COLUMN "PreviousHash";""");
            // The row trigger of AuditChainedInDatabase, as it was.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_chain_append() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                    head_sequence bigint;
                    head_hash text;
                    before_prev text;
                    timestamp_text text;
                BEGIN
                    -- Everything that does not depend on the head first: the lock below is held until the commit.
                    before_prev := '{"action":' || to_json(NEW."Action")::text
                        || ',"actor":{'
                        || CASE WHEN NEW."ActorApiKey" IS NULL THEN '' ELSE '"apiKey":' || to_json(NEW."ActorApiKey")::text || ',' END
                        || '"oid":' || to_json(NEW."ActorOid")::text
                        || ',"roles":' || array_to_json(string_to_array(NEW."ActorRoles", ','))::text
                        || ',"username":' || to_json(NEW."ActorUsername")::text
                        || '},"client":' || COALESCE(to_json(NEW."ClientAddress")::text, 'null')
                        || ',"correlationId":' || COALESCE(to_json(NEW."CorrelationId")::text, 'null')
                        || ',"entityId":' || to_json(NEW."EntityId")::text
                        || ',"entityType":' || to_json(NEW."EntityType")::text
                        || ',"payload":' || NEW."Payload"
                        || ',"prev":"';
                    timestamp_text := to_char(NEW."Timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

                    SELECT "Sequence", "Hash" INTO STRICT head_sequence, head_hash FROM "AuditHeads" WHERE "Id" = 1 FOR UPDATE;
                    NEW."Sequence" := head_sequence + 1;
                    NEW."PreviousHash" := head_hash;
                    NEW."Hash" := encode(sha256(convert_to(
                        before_prev || head_hash || '","seq":' || NEW."Sequence"::text || ',"ts":"' || timestamp_text || '","v":1}',
                        'UTF8')), 'hex');
                    UPDATE "AuditHeads" SET "Sequence" = NEW."Sequence", "Hash" = NEW."Hash" WHERE "Id" = 1;
                    RETURN NEW;
                END
                $fn$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_chain" BEFORE INSERT ON "AuditEvents"
                FOR EACH ROW EXECUTE FUNCTION audit_chain_append();
                """);
        }
    }
}
