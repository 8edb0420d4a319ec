using System.Diagnostics;
using GovernancePortal.Querying;
using GovernancePortal.Hosting;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Bench;

/// <summary>
/// The server's own part of the first grid page, timed in this process against the same database with the portal's
/// services: what the catalogue page asks for on each visit (the team and owner lists in OnInitializedAsync, which runs
/// in the prerender and again in the circuit; then the grid's first page through ModelCatalogue.SearchAsync: a COUNT
/// and the page of rows), each in a new DI scope as the page's <c>Scopes.ReadAsync</c> does.
/// </summary>
public static class CatalogueQueries
{
    public static async Task<IReadOnlyDictionary<string, List<double>>> TimeAsync(string[] hostArguments, int warmup, int repetitions)
    {
        var builder = WebApplication.CreateBuilder(hostArguments);
        builder.AddPortalServices();
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", "Warning")]);
        await using var app = builder.Build();
        var firstPage = new TableState("name", false, 1, TableState.DefaultPageSize);
        var noFilter = new CatalogueFilter(null, null, null, null, null, null);
        var cases = new (string Name, Func<ModelCatalogue, Task> Run)[]
        {
            ("SearchAsync, first page (COUNT + 20 rows by name)", c => c.SearchAsync(noFilter, firstPage)),
            ("TeamsAsync", c => c.TeamsAsync()),
            ("OwnersAsync", c => c.OwnersAsync()),
        };
        var times = cases.ToDictionary(c => c.Name, _ => new List<double>());
        for (var i = 0; i < warmup + repetitions; i++)
        {
            foreach (var (name, run) in cases)
            {
                var watch = Stopwatch.StartNew();
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    await run(scope.ServiceProvider.GetRequiredService<ModelCatalogue>());
                }
                watch.Stop();
                if (i >= warmup)
                {
                    times[name].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }
        return times;
    }
}
