using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

/// <summary>Fresh models to assess, so tests never share an assessment (the calls that answer them are in ChecklistCalls).</summary>
public static class ChecklistTestData
{
    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    public static Task<HttpClient> ApiAsync(PortalFactory portal, string username) => TestApiKeys.ClientAsync(portal, username, "checklist-tests");

    /// <summary>A High-risk clinical model (PHI, no EU data subjects) of owner2's team with version 1.0.0.</summary>
    public static async Task<string> PhiModelAsync(HttpClient owner2, string key, params string[] versions)
    {
        var model = RegistryTestData.ModelBody(key);
        model["owner"] = "owner2@demo.test";
        model["team"] = "Clinical AI";
        model["dataCategories"] = new JsonArray("protectedHealthInformation");
        var created = await owner2.PostAsync("/api/v1/models", Json(model));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        foreach (var version in versions.Length == 0 ? ["1.0.0"] : versions)
        {
            var registered = await owner2.PostAsync($"/api/v1/models/{key}/versions", Json(RegistryTestData.VersionBody(version, "improvedModel")));
            Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        }
        return key;
    }

    public static JsonElement AnswerOf(JsonElement assessment, string item) =>
        assessment.GetProperty("answers").EnumerateArray().Single(a => a.GetProperty("item").GetString() == item);
}
