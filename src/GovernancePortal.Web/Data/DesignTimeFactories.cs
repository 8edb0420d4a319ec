using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace GovernancePortal.Data;

/// <summary>Lets <c>dotnet ef</c> build each provider's context without starting the portal.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteGovernanceDbContext>
{
    public SqliteGovernanceDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteGovernanceDbContext>();
        DataServices.ConfigureSqlite(options, "Data Source=design-time.db");
        return new SqliteGovernanceDbContext(options.Options, SystemAudit.Recorder());
    }
}

internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlGovernanceDbContext>
{
    public PostgreSqlGovernanceDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgreSqlGovernanceDbContext>();
        DataServices.ConfigurePostgreSql(options, "Host=localhost;Database=governance_design");
        return new PostgreSqlGovernanceDbContext(options.Options, SystemAudit.Recorder());
    }
}

internal sealed class SystemAudit : IAuditContextAccessor
{
    public AuditContext Current { get; } = new(AuditActor.System, null, null);

    public static AuditRecorder Recorder() => new(new SystemAudit(), TimeProvider.System);
}
