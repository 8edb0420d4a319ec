using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace GovernancePortal.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AuditIncrementalVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Frontier",
                table: "AuditCheckpoints",
                type: "bytea",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AuditVerifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Full = table.Column<bool>(type: "boolean", nullable: false),
                    FromSequence = table.Column<long>(type: "bigint", nullable: false),
                    ToSequence = table.Column<long>(type: "bigint", nullable: false),
                    StartCheckpoint = table.Column<long>(type: "bigint", nullable: true),
                    LatestCheckpoint = table.Column<long>(type: "bigint", nullable: true),
                    Valid = table.Column<bool>(type: "boolean", nullable: false),
                    Fault = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FirstInvalidSequence = table.Column<long>(type: "bigint", nullable: true),
                    Reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Trigger = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditVerifications", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditVerifications_Valid_Id",
                table: "AuditVerifications",
                columns: new[] { "Valid", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditVerifications");

            migrationBuilder.DropColumn(
                name: "Frontier",
                table: "AuditCheckpoints");
        }
    }
}
