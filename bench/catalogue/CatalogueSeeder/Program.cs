// Seeds a large catalogue (10,000 models x 10 versions by default) into an empty portal database, for
// bench/catalogue/run.sh. The schema comes from the portal's own migrations (DatabaseMigrator), the rows are the
// portal's own entity classes, and every column value goes through the portal's EF Core mapping (column names, value
// converters, store types); only the write path is different: one prepared INSERT per table in a single transaction on
// SQLite, binary COPY on PostgreSQL. The bulk rows bypass the audit recorder (one audit event records the bulk load);
// the demo personas go through EF Core and the audit recorder as seed-demo does, so sign-in and API keys work.
//
//   dotnet CatalogueSeeder.dll [--models 10000] [--versions 10] [--metrics 3] [--random-seed 42] [host settings...]
//   host settings as for the portal, e.g. --Database:Provider=PostgreSql "--ConnectionStrings:Governance=Host=..."
using System.Diagnostics;
using GovernancePortal.Bench;
using GovernancePortal.Data;
using GovernancePortal.Hosting;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var (options, hostArguments) = SeedOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(SeedOptions.Usage);
    return 2;
}

var builder = WebApplication.CreateBuilder(hostArguments);
builder.AddPortalServices();
// Quiet, and without EF Core's "Failed executing DbCommand" for the migrations-history probe on a fresh PostgreSQL
// database (harmless; a real failure still ends the seeder with its exception).
builder.Configuration.AddInMemoryCollection(
[
    new("Logging:LogLevel:Default", "Warning"),
    new("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "None"),
]);
await using var app = builder.Build();
using var scope = app.Services.CreateScope();
var services = scope.ServiceProvider;
var db = services.GetRequiredService<GovernanceDbContext>();
var total = Stopwatch.StartNew();

await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
if (await db.Models.AnyAsync())
{
    Console.Error.WriteLine("The database already has models; the catalogue seeder needs a fresh database.");
    return 1;
}

var clock = services.GetRequiredService<TimeProvider>();
var catalogue = CatalogueGenerator.Generate(options, clock.GetUtcNow());

// The personas exactly as seed-demo adds them (EF Core, audited), so development sign-in and `apikey create` work.
var known = await db.Users.Select(u => u.ObjectId).ToListAsync();
foreach (var persona in DemoPersonas.All.Where(p => !known.Contains(p.ObjectId)))
{
    var user = new UserAccount
    {
        ObjectId = persona.ObjectId,
        TenantId = DemoPersonas.TenantId,
        Username = persona.Username,
        DisplayName = persona.DisplayName,
        Team = persona.Team,
        Roles = persona.Role,
    };
    db.Users.Add(user);
    db.Audit.Record("user.provisioned", user, new { source = "catalogue-bench" });
}
// The bulk rows below are not audited one by one; this event says so in the trail itself.
db.Audit.Record("bench.catalogue-seeded", "Catalogue", "bench", new
{
    models = catalogue.Models.Count,
    versions = catalogue.Versions.Count,
    metrics = catalogue.Metrics.Count,
    note = "bulk-inserted by bench/catalogue/CatalogueSeeder without per-row audit events",
});
await db.SaveChangesAsync();

var insert = Stopwatch.StartNew();
var provider = await BulkWriter.WriteAsync(db, catalogue);
insert.Stop();

Console.WriteLine(
    $"Seeded {catalogue.Models.Count:N0} models, {catalogue.Versions.Count:N0} versions and {catalogue.Metrics.Count:N0} metrics " +
    $"into {provider} in {insert.Elapsed.TotalSeconds:F1} s (total {total.Elapsed.TotalSeconds:F1} s, personas: {DemoPersonas.All.Count}).");
return 0;
