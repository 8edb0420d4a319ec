using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Demo;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Hosting;

/// <summary>The commands the portal's executable runs instead of serving.</summary>
public static class PortalCommands
{
    public const string Usage = """
        Usage: GovernancePortal.Web [command] [options]
          (no command)                          serve the portal
          migrate                               apply database migrations
          seed-demo                             add the demo personas and portfolio (idempotent)
          apikey create --user <username> --name <label>
                                                issue an API key for a user; printed once
          schema-script [--output <folder>]     write each provider's SQL schema script (db/)
          audit verify [--incremental]          verify the audit trail (every event, or those after the
                                                last verified checkpoint); exit 0 valid, 1 with the reason
          audit checkpoint                      sign a checkpoint over the events not yet covered
          audit verify-proof <file> [--key <public-key.pem>]
                                                check an event's inclusion proof offline
          audit verify-consistency <old checkpoint> <new checkpoint> <proof> --key <public-key.pem>
                                                check offline that the log only grew between two checkpoints
          report verify <file>                  is this PDF a report of this portal, unaltered? exit 0 genuine, 1 otherwise
        """;

    public static async Task<int> RunAsync(WebApplication app, CommandLine commandLine)
    {
        using var scope = app.Services.CreateScope();
        var services = scope.ServiceProvider;
        var cancellationToken = app.Lifetime.ApplicationStopping;
        switch (commandLine.Command)
        {
            case ["migrate"]:
                await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
                await CheckpointCatchUp.RunAsync(app.Services, cancellationToken);
                Console.WriteLine("Database is up to date.");
                return 0;
            case ["seed-demo"]:
                await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
                var added = await services.GetRequiredService<DemoSeeder>().SeedAsync(cancellationToken);
                await CheckpointCatchUp.RunAsync(app.Services, cancellationToken);
                Console.WriteLine($"Demo data ready ({added} model(s) added).");
                return 0;
            case ["apikey", "create"]:
                var created = await CreateApiKeyAsync(services, commandLine, cancellationToken);
                await CheckpointCatchUp.RunAsync(app.Services, cancellationToken);
                return created;
            case ["audit", "verify"]:
                return await AuditCommands.VerifyAsync(services, commandLine.Options.ContainsKey("incremental"), cancellationToken);
            case ["audit", "checkpoint"]:
                return await AuditCommands.CheckpointAsync(services, cancellationToken);
            case ["audit", "verify-consistency", var older, var newer, var proof]:
                return AuditCommands.VerifyConsistency(older, newer, proof, commandLine.Options.GetValueOrDefault("key"));
            case ["audit", "verify-proof", var file]:
                return AuditCommands.VerifyProof(file, commandLine.Options.GetValueOrDefault("key"));
            case ["report", "verify", var report]:
                return await Reports.ReportCommands.VerifyAsync(services, report, Console.Out, cancellationToken);
            case ["schema-script"]:
                var folder = commandLine.Options.GetValueOrDefault("output") ?? SchemaScripts.DefaultFolder();
                foreach (var path in SchemaScripts.WriteAll(folder))
                {
                    Console.WriteLine($"Wrote {path}");
                }
                return 0;
            default:
                Console.Error.WriteLine($"Unknown command '{string.Join(' ', commandLine.Command)}'.");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static async Task<int> CreateApiKeyAsync(IServiceProvider services, CommandLine commandLine, CancellationToken cancellationToken)
    {
        if (!commandLine.Options.TryGetValue("user", out var username) || !commandLine.Options.TryGetValue("name", out var label)
            || string.IsNullOrWhiteSpace(label))
        {
            Console.Error.WriteLine("apikey create needs --user <username> and --name <label>.");
            return 2;
        }
        var db = services.GetRequiredService<GovernanceDbContext>();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Username == username, cancellationToken);
        if (user is null)
        {
            Console.Error.WriteLine($"No user '{username}' is known. A person must sign in once (or run seed-demo for the demo personas).");
            return 1;
        }
        var issued = await services.GetRequiredService<ApiKeyService>().CreateAsync(user, label, "cli", cancellationToken);
        Console.WriteLine(issued.Secret);
        Console.Error.WriteLine($"API key '{issued.Key.Label}' for {user.Username} created. Store it now: it is not shown again.");
        return 0;
    }
}
