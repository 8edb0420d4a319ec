using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Registry.RegistryTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Registry;

/// <summary>
/// Malformed and hostile registry requests: every one must end in a 4xx problem, never a 500, and leave the database
/// exactly as it was.
/// </summary>
public abstract class HostileInputTests(PortalFactory portal)
{
    private static readonly string[] BadKeys =
    [
        "", " ", "UPPER", "has space", "-dash-first", "dash-last-", "double--dash", "under_score", "dot.ted", "slash/key", "ключ", "emoji-😀",
        new string('a', 65), "<script>alert(1)</script>", "'; DROP TABLE \"Models\"; --", "../../etc/passwd", "key\u0000nul", "key\u202Eevil",
        "zero\u200Bwidth", "tab\tkey", "line\nbreak", "%00", "key%20x", "a b", "Ｆｕｌｌｗｉｄｔｈ",
    ];

    private static readonly string[] BadVersions =
    [
        "", "1", "1.0", "1.0.0.0", "01.0.0", "1.00.0", "-1.0.0", "1.0.-1", "v1.0.0", "1.0.0-beta", "1.0.0+build", "1,0,0", "1 .0.0",
        "١.٢.٣", "99999999999.0.0", "1.0.0 ", "<b>1</b>.0.0", "1.0.0'; DELETE FROM \"ModelVersions\"; --", "1..0", "x.y.z", "1.0.0\u0000",
    ];

    private static readonly string[] BadHashes =
    [
        "", "abc", new string('g', 64), new string('a', 63), new string('a', 65), "sha256:" + new string('a', 57), " " + new string('a', 63),
        new string('a', 62) + "\u00e9\u00e9", "0x" + new string('a', 62), new string('a', 64) + "\n",
    ];

    private static readonly string[] BadUris =
    [
        "", "relative/path", "javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
        "not a uri", "ftp//missing-colon", new string('x', 2100), "s3://" + new string('b', 2000), "http://",
    ];

    private static readonly JsonNode?[] WrongTypes = [42, true, new JsonArray(), new JsonObject(), 1.5, -1];

    public static IEnumerable<(string Name, string Path, HttpContent Content)> ModelCases()
    {
        foreach (var key in BadKeys)
        {
            yield return ($"model key {Escape(key)}", "/api/v1/models", Json(With(ModelBody("x"), "key", key)));
        }
        foreach (var field in new[] { "key", "name", "owner", "team", "riskTier" })
        {
            var body = ModelBody("missing-" + field.ToLowerInvariant());
            body.Remove(field);
            yield return ($"model without {field}", "/api/v1/models", Json(body));
            yield return ($"model with null {field}", "/api/v1/models", Json(With(ModelBody("null-" + field.ToLowerInvariant()), field, null)));
            foreach (var wrong in WrongTypes)
            {
                if (field == "riskTier" && wrong is null)
                {
                    continue;
                }
                yield return ($"model {field} as {wrong?.ToJsonString()}", "/api/v1/models", Json(With(ModelBody("wrong-" + field.ToLowerInvariant()), field, wrong?.DeepClone())));
            }
        }
        foreach (var (field, length) in new[] { ("name", 201), ("description", 4001), ("owner", 257), ("team", 129), ("useCase", 1001), ("businessOwner", 257) })
        {
            yield return ($"model {field} of {length} characters", "/api/v1/models", Json(With(ModelBody("long-" + field.ToLowerInvariant()), field, new string('x', length))));
        }
        foreach (var tier in new[] { "extreme", "HIGHEST", "2", "", "minimal;drop", "<script>" })
        {
            yield return ($"risk tier {tier}", "/api/v1/models", Json(With(ModelBody("tier"), "riskTier", tier)));
        }
        yield return ("risk tier as number", "/api/v1/models", Json(With(ModelBody("tier"), "riskTier", 2)));
        foreach (var categories in new JsonNode?[] { new JsonArray("secret"), new JsonArray(7), new JsonArray("none", "personalData"), "personalData", new JsonArray(new JsonObject()) })
        {
            yield return ($"data categories {categories?.ToJsonString()}", "/api/v1/models", Json(With(ModelBody("categories"), "dataCategories", categories)));
        }
        foreach (var tags in new JsonNode?[] { new JsonArray("bad tag"), new JsonArray("<script>"), new JsonArray(1), new JsonArray(Enumerable.Range(0, 21).Select(i => (JsonNode?)$"t{i}").ToArray()), new JsonArray(new string('t', 41)), "single" })
        {
            yield return ($"tags {Escape(tags?.ToJsonString() ?? "null")[..Math.Min(40, tags?.ToJsonString().Length ?? 4)]}", "/api/v1/models", Json(With(ModelBody("tags"), "tags", tags)));
        }
        foreach (var control in new[] { "\u0001", "\u0007", "\u001b[31m", "\u007f" })
        {
            yield return ($"control character {(int)control[0]} in name", "/api/v1/models", Json(With(ModelBody("control"), "name", "Name" + control)));
        }
        yield return ("unknown member", "/api/v1/models", Json(With(ModelBody("unknown"), "isAdmin", true)));
        yield return ("unknown nested member", "/api/v1/models/credit-default-pd/versions", Json(With(VersionBody("9.0.0", "incompatibleDataChange"), "lineage", new JsonObject { ["evil"] = 1 })));
    }

    public static IEnumerable<(string Name, string Path, HttpContent Content)> VersionCases()
    {
        const string path = "/api/v1/models/credit-default-pd/versions";
        foreach (var version in BadVersions)
        {
            yield return ($"version {Escape(version)}", path, Json(With(VersionBody("x", "incompatibleDataChange"), "version", version)));
        }
        foreach (var hash in BadHashes)
        {
            yield return ($"hash {Escape(hash)[..Math.Min(20, hash.Length)]}", path, Json(With(VersionBody("3.0.0", "incompatibleDataChange"), "artifactSha256", hash)));
        }
        foreach (var uri in BadUris)
        {
            yield return ($"artifact uri {Escape(uri)[..Math.Min(30, uri.Length)]}", path, Json(With(VersionBody("3.0.0", "incompatibleDataChange"), "artifactUri", uri)));
        }
        foreach (var kind in new JsonNode?[] { "major", "IMPROVED", "", 0, null, new JsonArray() })
        {
            yield return ($"change kind {kind?.ToJsonString()}", path, Json(With(VersionBody("3.0.0", "incompatibleDataChange"), "changeKind", kind)));
        }
        foreach (var (field, value) in new (string, JsonNode?)[]
        {
            ("codeRepository", "javascript:alert(1)"), ("codeRepository", "not a url"), ("commit", "xyz"), ("commit", "abc"), ("commit", new string('a', 65)),
            ("pipelineRunUrl", "ftp://x"), ("pipelineRunUrl", "javascript:alert(1)"), ("parentVersion", "one"), ("parentVersion", "9.9.9"),
            ("dataSnapshotId", new string('d', 257)), ("environmentDigest", new string('e', 129)), ("commit", 1234567), ("pipelineRunId", new JsonArray()),
        })
        {
            var body = VersionBody("3.0.0", "incompatibleDataChange");
            body["lineage"]![field] = value;
            yield return ($"lineage {field} {Escape(value?.ToJsonString() ?? "null")[..Math.Min(25, value?.ToJsonString().Length ?? 4)]}", path, Json(body));
        }
        foreach (var (name, metrics) in new (string, JsonNode)[]
        {
            ("metric without name", new JsonArray(new JsonObject { ["value"] = 1, ["dataset"] = "d" })),
            ("metric without value", new JsonArray(new JsonObject { ["name"] = "auc", ["dataset"] = "d" })),
            ("metric value as text", new JsonArray(new JsonObject { ["name"] = "auc", ["value"] = "high", ["dataset"] = "d" })),
            ("metric value NaN text", new JsonArray(new JsonObject { ["name"] = "auc", ["value"] = "NaN", ["dataset"] = "d" })),
            ("metric without dataset", new JsonArray(new JsonObject { ["name"] = "auc", ["value"] = 1 })),
            ("metric threshold as text", new JsonArray(new JsonObject { ["name"] = "auc", ["value"] = 1, ["dataset"] = "d", ["threshold"] = "0.5" })),
            ("metric direction as text", new JsonArray(new JsonObject { ["name"] = "auc", ["value"] = 1, ["dataset"] = "d", ["higherIsBetter"] = "yes" })),
            ("duplicate metric", new JsonArray(new JsonObject { ["name"] = "auc", ["value"] = 1, ["dataset"] = "d" }, new JsonObject { ["name"] = "auc", ["value"] = 2, ["dataset"] = "d" })),
            ("null metric", new JsonArray((JsonNode?)null)),
            ("201 metrics", new JsonArray(Enumerable.Range(0, 201).Select(i => (JsonNode?)new JsonObject { ["name"] = $"m{i}", ["value"] = i, ["dataset"] = "d" }).ToArray())),
            ("metrics as object", new JsonObject()),
            ("metric name too long", new JsonArray(new JsonObject { ["name"] = new string('n', 101), ["value"] = 1, ["dataset"] = "d" })),
        })
        {
            yield return (name, path, Json(With(VersionBody("3.0.0", "incompatibleDataChange"), "metrics", metrics)));
        }
        yield return ("version number that does not follow", path, Json(VersionBody("2.0.1", "improvedModel")));
        yield return ("already registered version", path, Json(VersionBody("1.2.0", "improvedModel")));
        yield return ("version of an unknown model", "/api/v1/models/no-such-model/versions", Json(VersionBody("1.0.0", "improvedModel")));
        yield return ("version of another team's model", "/api/v1/models/sepsis-early-warning/versions", Json(VersionBody("1.3.0", "improvedModel")));
        yield return ("change reason of 2001 characters", path, Json(With(VersionBody("3.0.0", "incompatibleDataChange"), "changeReason", new string('r', 2001))));
    }

    public static IEnumerable<(string Name, string Path, HttpContent Content)> DocumentCases()
    {
        foreach (var path in new[] { "/api/v1/models", "/api/v1/models/credit-default-pd/versions" })
        {
            foreach (var (name, text) in new[]
            {
                ("empty body", ""), ("null", "null"), ("array", "[]"), ("string", "\"hello\""), ("number", "42"), ("truncated", "{\"key\": \"abc\""),
                ("trailing comma", "{\"key\": \"abc\",}"), ("comment", "{/* hi */ \"key\": \"abc\"}"), ("single quotes", "{'key': 'abc'}"),
                ("NaN literal", "{\"value\": NaN}"), ("lone surrogate", "{\"key\": \"\\ud800\"}"), ("deep nesting", new string('[', 200) + new string(']', 200)),
                ("deep object", string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100)),
                ("not json", "key=abc&name=x"), ("xml", "<model><key>x</key></model>"), ("bom only", "\ufeff"),
            })
            {
                yield return ($"{name} to {path}", path, new StringContent(text, Encoding.UTF8, "application/json"));
            }
            yield return ($"form content type to {path}", path, new StringContent("{\"key\":\"x\"}", Encoding.UTF8, "application/x-www-form-urlencoded"));
            yield return ($"text content type to {path}", path, new StringContent("{\"key\":\"x\"}", Encoding.UTF8, "text/plain"));
            yield return ($"300 KiB body to {path}", path, Json(With(ModelBody("huge"), "description", new string('x', 300 * 1024))));
        }
    }

    private static JsonObject With(JsonObject body, string field, JsonNode? value)
    {
        body[field] = value;
        return body;
    }

    private static string Escape(string text) => text.Length == 0 ? "(empty)" : new string(text.Select(c => char.IsControl(c) ? '·' : c).ToArray());

    [Fact]
    public async Task Over_two_hundred_malformed_or_hostile_requests_get_4xx_problems_and_change_nothing()
    {
        var client = await ApiClientAsync(portal, "owner@demo.test");
        var cases = ModelCases().Concat(VersionCases()).Concat(DocumentCases()).ToList();
        var before = await CountsAsync();

        var failures = new List<string>();
        foreach (var (name, path, content) in cases)
        {
            var response = await client.PostAsync(path, content);
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{name}: {status} {response.Content.Headers.ContentType?.MediaType}");
            }
        }

        Assert.True(cases.Count >= 200, $"Only {cases.Count} cases.");
        Assert.Empty(failures);
        Assert.Equal(before, await CountsAsync());
    }

    private Task<(int Models, int Versions, int Metrics, long Events)> CountsAsync() => portal.WithDbAsync(async db =>
        (await db.Models.CountAsync(), await db.ModelVersions.CountAsync(), await db.VersionMetrics.CountAsync(),
         await db.AuditEvents.Where(e => !e.Action.StartsWith("apikey.") && e.Action != "authorization.refused").CountAsync() + 0L));
}

public sealed class HostileInputTestsOnSqlite(SqlitePortal portal) : HostileInputTests(portal), IClassFixture<SqlitePortal>;

public sealed class HostileInputTestsOnPostgreSql(PostgreSqlPortal portal) : HostileInputTests(portal), IClassFixture<PostgreSqlPortal>;
