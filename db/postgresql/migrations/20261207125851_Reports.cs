using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Reports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Reports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Subject = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Parameters = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Progress = table.Column<int>(type: "integer", nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    GeneratedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    AuditHeadSequence = table.Column<long>(type: "bigint", nullable: true),
                    AuditHeadHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    Failure = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReportFiles",
                columns: table => new
                {
                    ReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportFiles", x => x.ReportId);
                    table.ForeignKey(
                        name: "FK_ReportFiles_Reports_ReportId",
                        column: x => x.ReportId,
                        principalTable: "Reports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Reports_Kind_RequestedAt",
                table: "Reports",
                columns: new[] { "Kind", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Reports_Sha256",
                table: "Reports",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_Reports_Status",
                table: "Reports",
                column: "Status");

            // A printed report is stored once, like an audit event: the database refuses to change, remove or truncate its bytes.
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ReportFiles_refuse_change" ON "ReportFiles";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ReportFiles_refuse_truncate" ON "ReportFiles";""");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS report_file_refuse_change();");
            migrationBuilder.DropTable(
                name: "ReportFiles");

            migrationBuilder.DropTable(
                name: "Reports");
        }
    }
}
