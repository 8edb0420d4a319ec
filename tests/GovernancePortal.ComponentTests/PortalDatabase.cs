using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Demo;
using GovernancePortal.Home;
using GovernancePortal.Notifications;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GovernancePortal;

/// <summary>
/// A SQLite database migrated and seeded with the demo portfolio once per test class, and the portal's own services
/// over it, so components under test read real data through the real queries.
/// </summary>
public sealed class PortalDatabase : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "governance-tests", $"component-{Guid.NewGuid():N}.db");

    private string ConnectionString => $"Data Source={_file}";

    public void AddServices(IServiceCollection services, TimeProvider clock)
    {
        services.AddSingleton(clock);
        // DatabaseMigrator reads ConnectionStrings:GovernanceMigrations (ADR-025); none here.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddHttpContextAccessor();
        services.AddDbContext<SqliteGovernanceDbContext>(o => DataServices.ConfigureSqlite(o, ConnectionString));
        services.AddScoped<GovernanceDbContext>(sp => sp.GetRequiredService<SqliteGovernanceDbContext>());
        services.AddScoped<AuditRecorder>();
        services.AddScoped<IAuditContextAccessor, HttpAuditContextAccessor>();
        services.AddOptions<ChecklistOptions>();
        services.AddScoped<AssessmentChanges>();
        services.AddScoped<ChecklistReads>();
        services.AddScoped<ChecklistCommands>();
        services.AddScoped<ChecklistEvidence>();
        services.AddScoped<ChecklistLibrarySeeder>();
        services.AddScoped<ComplianceViews>();
        services.AddScoped<TemplateEditing>();
        services.AddScoped<ComplianceOperations>();
        services.AddScoped<PromotionPolicyStore>();
        services.AddScoped<Registry.ModelCardService>();
        services.AddScoped<PromotionService>();
        services.AddScoped<RollbackService>();
        services.AddApprovals();
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<DemoSeeder>();
        services.AddNotifications();
        services.AddHome();
        ReviewQueue.ReviewQueueServices.AddReviewQueue(services);
        services.AddScoped<Registry.RegistryService>();
        services.AddScoped<Registry.ModelCardService>();
        services.AddScoped<Registry.ModelCatalogue>();
        Registry.RegistryPages.AddRegistryPages(services);
        Retirement.RetirementServices.AddRetirement(services);
        Reviews.ReviewServices.AddReviews(services);
        Catalogue.CatalogueServices.AddCatalogue(services);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var services = new ServiceCollection();
        AddServices(services, TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }
        return Task.CompletedTask;
    }
}
