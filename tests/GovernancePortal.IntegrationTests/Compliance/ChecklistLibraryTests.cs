using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Data;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Compliance.ChecklistTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

/// <summary>Seeding template versions, and what a new version means for existing and new assessments.</summary>
public abstract class ChecklistLibraryTests(PortalFactory portal)
{
    private const string Reworded = "hipaa-164-502-e-business-associates";

    [Fact]
    public async Task A_seed_file_with_a_higher_version_adds_a_row_once_and_old_assessments_keep_their_wording()
    {
        var folder = Directory.CreateTempSubdirectory("checklists-").FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "db", "checklists"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        var hipaa = Path.Combine(folder, "hipaa.yaml");
        var yaml = File.ReadAllText(hipaa);
        File.WriteAllText(hipaa, yaml
            .Replace("version: 1", "version: 2", StringComparison.Ordinal)
            .Replace("List every business associate that receives the PHI and hold a BAA with each",
                "List every business associate and subcontractor that receives the PHI and hold a BAA with each", StringComparison.Ordinal));

        var unchanged = await SeedAsync(Path.Combine(RepositoryPaths.Root, "db", "checklists"));
        var added = await SeedAsync(folder);
        var again = await SeedAsync(folder);

        Assert.Equal(0, unchanged);
        Assert.Equal(1, added);
        Assert.Equal(0, again);
        var versions = await portal.WithDbAsync(db => db.ChecklistTemplateVersions.Where(t => t.TemplateId == "hipaa").OrderBy(t => t.Version)
            .Select(t => t.Version).ToListAsync());
        Assert.Equal([1, 2], versions);
        Assert.Single(await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "checklist-template.version-added" && e.Payload.Contains("\"version\":2")).ToListAsync()));

        // The signed-off demo assessment stays on version 1, in version 1's words.
        var viewer = await ApiAsync(portal, "viewer@demo.test");
        var signedOff = await GetAsync(viewer, "sepsis-early-warning", "1.1.0");
        Assert.Equal(1, signedOff.GetProperty("templateVersion").GetInt32());
        Assert.True(signedOff.GetProperty("signedOff").GetBoolean());
        var page = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).GetDocumentAsync("/models/sepsis-early-warning/versions/1.1.0/compliance/hipaa");
        Assert.Equal("List every business associate that receives the PHI and hold a BAA with each", page.QuerySelector($"#item-{Reworded}-title")!.TextContent);
        var templates = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/checklists/templates");
        Assert.Equal(2, templates.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "hipaa").GetProperty("version").GetInt32());

        // The next version starts on version 2 and carries over every answer except the reworded item's.
        var owner2 = await ApiAsync(portal, "owner2@demo.test");
        var started = await OkAsync(await owner2.PostAsync("/api/v1/models/sepsis-early-warning/versions/1.2.0/assessments", Json(new { template = "hipaa", carryOver = true })));
        Assert.Equal(2, started.GetProperty("templateVersion").GetInt32());
        var carried = started.GetProperty("answers").EnumerateArray().Select(a => a.GetProperty("item").GetString()).ToList();
        Assert.Equal(started.GetProperty("applicableItems").GetArrayLength() - 1, carried.Count);
        Assert.DoesNotContain(Reworded, carried);
        Directory.Delete(folder, recursive: true);
    }

    private async Task<int> SeedAsync(string folder)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var seeder = new ChecklistLibrarySeeder(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>(), TimeProvider.System,
            Options.Create(new ChecklistOptions { LibraryPath = folder }), NullLogger<ChecklistLibrarySeeder>.Instance);
        return await seeder.SeedAsync();
    }
}

public sealed class ChecklistLibraryTestsOnSqlite(SqlitePortal portal) : ChecklistLibraryTests(portal), IClassFixture<SqlitePortal>;

public sealed class ChecklistLibraryTestsOnPostgreSql(PostgreSqlPortal portal) : ChecklistLibraryTests(portal), IClassFixture<PostgreSqlPortal>;
