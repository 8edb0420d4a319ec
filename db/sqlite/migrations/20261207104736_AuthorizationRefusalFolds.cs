using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuthorizationRefusalFolds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuthorizationRefusals",
                columns: table => new
                {
                    Identity = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Route = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Minute = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    ActorOid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActorUsername = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ActorRoles = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ActorApiKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Method = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Endpoint = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    FirstPath = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    ClientAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    FirstAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Recorded = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuthorizationRefusals", x => new { x.Identity, x.Route, x.Minute });
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuthorizationRefusals_Recorded_Minute",
                table: "AuthorizationRefusals",
                columns: new[] { "Recorded", "Minute" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuthorizationRefusals");
        }
    }
}
