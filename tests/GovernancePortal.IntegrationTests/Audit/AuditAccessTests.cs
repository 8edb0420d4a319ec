using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

public abstract class AuditAccessTests(PortalFactory portal)
{
    private Task<HttpClient> ApiClientAsync(string username) => TestApiKeys.ClientAsync(portal, username);

    private async Task CheckpointAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true);
    }

    [Theory]
    [InlineData("auditor@demo.test")]
    [InlineData("compliance@demo.test")]
    public async Task Auditors_and_compliance_officers_verify_the_trail_over_the_api(string username)
    {
        await CheckpointAsync();
        var client = await ApiClientAsync(username);

        var response = await client.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");

        Assert.True(response.GetProperty("valid").GetBoolean());
        Assert.True(response.GetProperty("eventCount").GetInt64() > 40);
        Assert.Equal(64, response.GetProperty("headHash").GetString()!.Length);
        Assert.True(response.GetProperty("checkpoint").GetProperty("sequence").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, response.GetProperty("firstInvalidSequence").ValueKind);
    }

    [Theory]
    [InlineData("viewer@demo.test")]
    [InlineData("owner@demo.test")]
    [InlineData("admin@demo.test")]
    public async Task Other_roles_may_not_read_the_audit_trail(string username)
    {
        var api = await ApiClientAsync(username);
        var pages = await PortalClient.SignedInAsync(portal, username);

        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/audit/events/1/proof")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/audit/checkpoints")).StatusCode);
        foreach (var path in new[] { "/audit", "/audit/verify", "/audit/events/1", "/audit/export.csv", "/audit/export.jsonl", "/audit/events/1/proof.json" })
        {
            var response = await pages.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.AbsolutePath == "/account/access-denied",
                $"{username} reached {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_checkpoint_key_is_public_and_an_event_proof_verifies_offline_with_it()
    {
        await CheckpointAsync();
        var client = await ApiClientAsync("auditor@demo.test");
        var pem = await PortalClient.Anonymous(portal).Http.GetStringAsync("/api/v1/audit/checkpoint-key");

        var json = await client.GetStringAsync("/api/v1/audit/events/3/proof");
        var proof = InclusionProofDocument.FromJson(json);
        using var key = CheckpointSigner.LoadKeyFromPem(pem);

        Assert.Contains("BEGIN PUBLIC KEY", pem);
        Assert.True(InclusionProofDocument.Verify(proof, key).Ok);
        var altered = proof with { Event = proof.Event with { Action = "audit.forged" } };
        Assert.False(InclusionProofDocument.Verify(altered, key).Ok);
    }

    [Fact]
    public async Task A_consistency_proof_between_two_checkpoints_verifies_offline_and_an_altered_one_is_refused()
    {
        await CheckpointAsync();
        await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        await CheckpointAsync();
        var client = await ApiClientAsync("auditor@demo.test");
        var sizes = (await client.GetFromJsonAsync<JsonElement>("/api/v1/audit/checkpoints")).EnumerateArray().Select(c => c.GetProperty("sequence").GetInt64()).ToList();
        var pem = await PortalClient.Anonymous(portal).Http.GetStringAsync("/api/v1/audit/checkpoint-key");

        var json = await client.GetStringAsync($"/api/v1/audit/consistency?from={sizes[0]}&to={sizes[^1]}");
        var proof = ConsistencyProofDocument.FromJson(json);
        var backwards = await client.GetAsync($"/api/v1/audit/consistency?from={sizes[^1]}&to={sizes[0]}");
        var unknown = await client.GetAsync($"/api/v1/audit/consistency?from={sizes[0]}&to={sizes[^1] + 1}");

        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        // Offline, as `audit verify-consistency <old> <new> <proof> --key <pem>` checks it: only files and the public key.
        var folder = Directory.CreateTempSubdirectory("consistency-").FullName;
        try
        {
            var files = new Dictionary<string, string>
            {
                ["old.json"] = proof.From.ToJson(), ["new.json"] = proof.To.ToJson(), ["proof.json"] = json, ["key.pem"] = pem,
                ["altered.json"] = (proof with { Proof = [.. proof.Proof.Select(p => p == proof.Proof[0] ? new string('0', 64) : p)] }).ToJson(),
            };
            foreach (var (name, content) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, name), content);
            }
            string F(string name) => Path.Combine(folder, name);

            Assert.Equal(0, AuditCommands.VerifyConsistency(F("old.json"), F("new.json"), F("proof.json"), F("key.pem")));
            Assert.Equal(1, AuditCommands.VerifyConsistency(F("old.json"), F("new.json"), F("altered.json"), F("key.pem")));
            Assert.Equal(1, AuditCommands.VerifyConsistency(F("new.json"), F("old.json"), F("proof.json"), F("key.pem")));
            Assert.Equal(2, AuditCommands.VerifyConsistency(F("old.json"), F("new.json"), F("proof.json"), null));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_proof_for_an_unknown_event_is_404_and_for_an_uncovered_one_409()
    {
        await CheckpointAsync();
        await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var client = await ApiClientAsync("auditor@demo.test");
        var head = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence));

        var unknown = await client.GetAsync("/api/v1/audit/events/99999999/proof");
        var uncovered = await client.GetAsync($"/api/v1/audit/events/{head}/proof");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Conflict, uncovered.StatusCode);
    }

    [Fact]
    public async Task Concurrent_checkpoint_runs_sign_each_tree_size_once()
    {
        await PortalClient.SignedInAsync(portal, "owner2@demo.test");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(CheckpointAsync)));

        var sizes = await portal.WithDbAsync(db => db.AuditCheckpoints.Select(c => c.TreeSize).ToListAsync());
        Assert.Equal(sizes.Distinct().Count(), sizes.Count);
        var head = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence));
        Assert.Contains(head, sizes);
    }

    [Fact]
    public async Task An_auditor_filters_the_trail_and_opens_an_event()
    {
        var auditor = await PortalClient.SignedInAsync(portal, "auditor@demo.test");

        var page = await auditor.GetDocumentAsync("/audit?action=model.registered&q=credit-default");
        var links = page.QuerySelectorAll("[data-testid=event-link]").Select(a => a.GetAttribute("href")!).ToList();
        var subject = page.QuerySelector("[data-testid=subject-link]")!;
        var detail = await auditor.GetDocumentAsync(links.Single());

        Assert.Equal("/models/credit-default-pd", subject.GetAttribute("href"));
        Assert.Contains("model.registered", detail.QuerySelector("h1")!.TextContent);
        Assert.Equal("/models/credit-default-pd", detail.QuerySelector("[data-testid=event-subject] a")!.GetAttribute("href"));
        Assert.Equal("credit-default-pd", detail.QuerySelector("[data-testid=change][data-field=key] [data-testid=after]")!.TextContent.Trim());
        var export = page.QuerySelector("[data-testid=export-csv]")!.GetAttribute("href")!;
        Assert.Contains("action=model.registered", export);
        Assert.Contains("q=credit-default", export);
    }

    [Fact]
    public async Task Exports_contain_the_filtered_events_and_are_themselves_audited()
    {
        var auditor = await PortalClient.SignedInAsync(portal, "auditor@demo.test");
        var before = await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "audit.exported"));

        var csv = await auditor.Http.GetAsync("/audit/export.csv?action=version.registered");
        var jsonl = await auditor.Http.GetStringAsync("/audit/export.jsonl?action=version.registered&from=2000-01-01");

        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition!.DispositionType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var versions = await portal.WithDbAsync(db => db.ModelVersions.CountAsync());
        Assert.StartsWith("sequence,timestamp,actorOid", lines[0]);
        Assert.Equal(versions, lines.Length - 1);
        var records = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(versions, records.Count);
        Assert.All(records, r => Assert.Equal("version.registered", r.GetProperty("action").GetString()));
        var exports = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "audit.exported").OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(before + 2, exports.Count);
        Assert.All(exports.Skip(before), e => Assert.Equal("auditor@demo.test", e.ActorUsername));
        Assert.Contains($"\"count\":{versions}", exports[^1].Payload);
    }

    [Fact]
    public async Task Each_mutation_is_audited_exactly_once_with_its_actor()
    {
        var admin = new AuditActor(DemoPersonas.Find("admin@demo.test")!.ObjectId.ToString(), "admin@demo.test", [Roles.Admin], null);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>();
            var issued = await keys.CreateAsync("owner2@demo.test", "exactly-once", admin);
            await keys.RevokeAsync(issued.Issued!.Key.Id, admin);
        }
        var key = await portal.WithDbAsync(db => db.ApiKeys.SingleAsync(k => k.Label == "exactly-once"));

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityId == key.Id.ToString()).OrderBy(e => e.Sequence).ToListAsync());

        Assert.Equal(["apikey.created", "apikey.revoked"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(("admin@demo.test", Roles.Admin), (e.ActorUsername, e.ActorRoles)));
        // Canonical JSON: members in code-unit order, so "after" precedes "before".
        Assert.Matches("\"revokedAt\":\\{\"after\":\"[^\"]+\",\"before\":null\\}", events[1].Payload);
    }
}

public sealed class AuditAccessTestsOnSqlite(SqlitePortal portal) : AuditAccessTests(portal), IClassFixture<SqlitePortal>;

public sealed class AuditAccessTestsOnPostgreSql(PostgreSqlPortal portal) : AuditAccessTests(portal), IClassFixture<PostgreSqlPortal>;
