using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditCheckpoints",
                columns: table => new
                {
                    TreeSize = table.Column<long>(type: "INTEGER", nullable: false),
                    RootHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    HeadHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    Signature = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.TreeSize);
                });

            migrationBuilder.CreateTable(
                name: "AuditEvents",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    ActorOid = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ActorUsername = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ActorRoles = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ActorApiKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    EntityType = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    EntityId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    CorrelationId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ClientAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PreviousHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEvents", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "AuditHeads",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditHeads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", nullable: true),
                    Xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Models",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    BusinessOwner = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Team = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UseCase = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    RiskTier = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DataCategories = table.Column<int>(type: "INTEGER", nullable: false),
                    Tags = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Models", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Users",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ObjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Username = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Team = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Roles = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    LastSignInAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ModelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Major = table.Column<int>(type: "INTEGER", nullable: false),
                    Minor = table.Column<int>(type: "INTEGER", nullable: false),
                    Pipeline = table.Column<int>(type: "INTEGER", nullable: false),
                    ChangeKind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ChangeReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ArtifactUri = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ArtifactSha256 = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Stage = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StageChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CodeRepository = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CodeCommit = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DataSnapshotId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    DataSnapshotHash = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    PipelineRunId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    PipelineRunUrl = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ParentVersion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    EnvironmentDigest = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ConcurrencyStamp = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModelVersions_Models_ModelId",
                        column: x => x.ModelId,
                        principalTable: "Models",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SecretHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiKeys_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "AuditHeads",
                columns: new[] { "Id", "Hash", "Sequence" },
                values: new object[] { 1, "0000000000000000000000000000000000000000000000000000000000000000", 0L });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Prefix",
                table: "ApiKeys",
                column: "Prefix",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_UserId",
                table: "ApiKeys",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Action",
                table: "AuditEvents",
                column: "Action");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_ActorUsername",
                table: "AuditEvents",
                column: "ActorUsername");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_EntityType_EntityId",
                table: "AuditEvents",
                columns: new[] { "EntityType", "EntityId" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Timestamp",
                table: "AuditEvents",
                column: "Timestamp");

            migrationBuilder.CreateIndex(
                name: "IX_Models_Key",
                table: "Models",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Models_Owner",
                table: "Models",
                column: "Owner");

            migrationBuilder.CreateIndex(
                name: "IX_Models_Team",
                table: "Models",
                column: "Team");

            migrationBuilder.CreateIndex(
                name: "IX_ModelVersions_ModelId_Major_Minor_Pipeline",
                table: "ModelVersions",
                columns: new[] { "ModelId", "Major", "Minor", "Pipeline" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ModelVersions_Stage",
                table: "ModelVersions",
                column: "Stage");

            migrationBuilder.CreateIndex(
                name: "IX_Users_ObjectId",
                table: "Users",
                column: "ObjectId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Users_Username",
                table: "Users",
                column: "Username",
                unique: true);

            // The audit trail is append-only: the database itself refuses to change or remove it.
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "AuditEvents", "AuditCheckpoints" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{table}_refuse_update";""");
                migrationBuilder.Sql($"""DROP TRIGGER IF EXISTS "{table}_refuse_delete";""");
            }

            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "AuditCheckpoints");

            migrationBuilder.DropTable(
                name: "AuditEvents");

            migrationBuilder.DropTable(
                name: "AuditHeads");

            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "ModelVersions");

            migrationBuilder.DropTable(
                name: "Users");

            migrationBuilder.DropTable(
                name: "Models");
        }
    }
}
