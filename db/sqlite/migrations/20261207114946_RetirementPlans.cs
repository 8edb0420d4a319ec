using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RetirementPlans : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RetirementPlans",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PlannedDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SuccessorVersionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    NoSuccessorReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Notify = table.Column<string>(type: "TEXT", maxLength: 6000, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CancelReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RetiredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RetentionUntil = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    RetentionBasis = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Revision = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetirementPlans", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RetirementPlans_ModelVersions_SuccessorVersionId",
                        column: x => x.SuccessorVersionId,
                        principalTable: "ModelVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_RetirementPlans_ModelVersions_VersionId",
                        column: x => x.VersionId,
                        principalTable: "ModelVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RetirementReminders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PlanId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PlannedDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Recipients = table.Column<string>(type: "TEXT", maxLength: 6000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetirementReminders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RetirementReminders_RetirementPlans_PlanId",
                        column: x => x.PlanId,
                        principalTable: "RetirementPlans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RetirementPlans_State_PlannedDate",
                table: "RetirementPlans",
                columns: new[] { "State", "PlannedDate" });

            migrationBuilder.CreateIndex(
                name: "IX_RetirementPlans_SuccessorVersionId",
                table: "RetirementPlans",
                column: "SuccessorVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_RetirementPlans_VersionId",
                table: "RetirementPlans",
                column: "VersionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RetirementReminders_PlanId_PlannedDate_Kind",
                table: "RetirementReminders",
                columns: new[] { "PlanId", "PlannedDate", "Kind" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RetirementReminders");

            migrationBuilder.DropTable(
                name: "RetirementPlans");
        }
    }
}
