using GovernancePortal.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace GovernancePortal.Testing;

/// <summary>
/// The real portal (its Program, pipeline and database) on a fresh database of the given provider, in the Development
/// environment with development sign-in and the demo portfolio.
/// </summary>
public class PortalFactory(TestDatabase database) : WebApplicationFactory<Program>, IAsyncLifetime
{
    public TestDatabase Database { get; } = database;
    public string ConnectionString { get; private set; } = "";

    protected virtual bool SeedDemo => true;

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await TestDatabases.CreateAsync(Database);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", Database.ToString());
        builder.UseSetting("ConnectionStrings:Governance", ConnectionString);
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("Demo:SeedOnStartup", SeedDemo ? "true" : "false");
        builder.UseSetting("Authentication:DevelopmentSignIn", "true");
        // Jobs would fire at their own times and race the tests' expectations; tests call them directly.
        builder.UseSetting("Scheduling:Enabled", "false");
        // Reports print with the Chromium that scripts/test.sh found.
        if (Environment.GetEnvironmentVariable("GOVERNANCE_TEST_CHROMIUM") is { Length: > 0 } chromium)
        {
            builder.UseSetting("Reports:ChromiumPath", chromium);
        }
        // Tests send far more than any person or pipeline; the rate-limit tests set small limits of their own.
        foreach (var limit in new[] { "SignIn", "Api", "UnauthenticatedApi", "Uploads" })
        {
            builder.UseSetting($"RateLimits:{limit}:PermitLimit", "1000000");
        }
        // Open pages notice a revoked session within seconds, so journeys need not wait the default half minute.
        builder.UseSetting("Sessions:RevalidationInterval", "00:00:02");
        // With no job cutting checkpoints, none is required by age; a test that checks the rule sets its own.
        builder.UseSetting("Audit:Checkpoint:MaxAge", "36500.00:00:00");
        // Warnings and errors only; EF's reports of expected failures (refused audit updates, lost races) would flood the
        // test log. Category settings from appsettings outrank a catch-all filter, so EF is silenced by category too.
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "None");
        // appsettings logs every request at Information; in tests that buries the failures CI shows.
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware", "Warning");
        builder.ConfigureLogging(logging => logging
            .ClearProviders()
            .AddConsole()
            .AddFilter((category, level) => level >= LogLevel.Warning && category?.StartsWith("Microsoft.EntityFrameworkCore") != true));
    }

    /// <summary>Runs work against the portal's database in a scope of its own, as a request would.</summary>
    public async Task<T> WithDbAsync<T>(Func<GovernanceDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    public async Task WithDbAsync(Func<GovernanceDbContext, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    /// <summary>Writes the folded authorization.refused events now, as the job does once their minute is over (ADR-023).</summary>
    public async Task<int> RecordRefusalsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        return await scope.ServiceProvider.GetRequiredService<Audit.AuthorizationRefusals>().RecordDueAsync(now.AddMinutes(2), default);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await TestDatabases.DropAsync(Database, ConnectionString);
    }
}

public sealed class SqlitePortal() : PortalFactory(TestDatabase.Sqlite);

public sealed class PostgreSqlPortal() : PortalFactory(TestDatabase.PostgreSql);
