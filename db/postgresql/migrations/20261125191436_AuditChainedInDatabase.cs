using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AuditChainedInDatabase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hand-written: EF cannot express triggers. Each inserted event gets its sequence, its predecessor's hash and
            // its own hash under the head row's lock, inside the inserting statement, so the lock is held until the
            // commit only. The hash is SHA-256 over the same canonical form as AuditRecord.Canonical (format v1;
            // to_json escapes strings as RFC 8785 does, the payload is stored canonical), so the verifier is unchanged;
            // integration tests compare both on hostile text.
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEvents_chain" ON "AuditEvents";""");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_chain_append();");
        }
    }
}
