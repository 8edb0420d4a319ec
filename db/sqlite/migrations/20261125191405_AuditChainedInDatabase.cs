using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GovernancePortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditChainedInDatabase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Nothing to do on SQLite: the portal chains its audit events itself (AuditRecorder). The PostgreSQL
            // migration of this name moves that into the database; this one only brings the model snapshot along.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
