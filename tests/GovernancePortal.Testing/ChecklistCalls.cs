using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

/// <summary>The checklist API calls tests use to answer, submit and sign off assessments (integration and browser tests).</summary>
public static class ChecklistCalls
{
    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

    public static string Assessment(string key, string version, string template = "hipaa") => $"/api/v1/models/{key}/versions/{version}/assessments/{template}";

    public static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await BodyAsync(response);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string key, string version, string template = "hipaa") =>
        await OkAsync(await client.GetAsync(Assessment(key, version, template)));

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string key, string version, string item, byte[] bytes, string fileName,
        string template = "hipaa", string declaredType = "application/octet-stream")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(declaredType);
        form.Add(file, "file", fileName);
        return await client.PostAsync($"{Assessment(key, version, template)}/items/{item}/evidence", form);
    }

    /// <summary>
    /// Answers every applicable item so that the assessment can be submitted: Yes with a file where the item wants a file,
    /// Yes with a link where it wants a link, otherwise Not applicable with a reason.
    /// </summary>
    public static async Task CompleteAsync(HttpClient owner, string key, string version, string template = "hipaa")
    {
        var templates = await OkAsync(await owner.GetAsync("/api/v1/checklists/templates"));
        var items = templates.EnumerateArray().Single(t => t.GetProperty("id").GetString() == template).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetString()!, i => i.GetProperty("evidence").GetString()!);
        var start = await OkAsync(await owner.GetAsync($"/api/v1/models/{key}/versions/{version}/assessments"));
        var applicable = start.EnumerateArray().Single(a => a.GetProperty("template").GetString() == template).GetProperty("applicableItems")
            .EnumerateArray().Select(i => i.GetString()!).ToList();
        foreach (var item in applicable)
        {
            var url = $"{Assessment(key, version, template)}/items/{item}";
            switch (items[item])
            {
                case "file":
                    await OkAsync(await owner.PutAsync(url, Json(new { answer = "yes" })));
                    await OkAsync(await UploadAsync(owner, key, version, item, Pdf, $"{item}.pdf", template));
                    break;
                case "link":
                    await OkAsync(await owner.PutAsync(url, Json(new { answer = "yes" })));
                    await OkAsync(await owner.PostAsync($"{url}/evidence", Json(new { url = $"https://wiki.example.com/{item}" })));
                    break;
                default:
                    await OkAsync(await owner.PutAsync(url, Json(new { answer = "notApplicable", justification = "Covered by the clinical data platform's controls." })));
                    break;
            }
        }
    }

    /// <summary>Completes, submits, has compliance@ accept every item and sign off.</summary>
    public static async Task<JsonElement> SignedOffAsync(HttpClient owner, HttpClient officer, string key, string version, string template = "hipaa")
    {
        await CompleteAsync(owner, key, version, template);
        await OkAsync(await owner.PostAsync($"{Assessment(key, version, template)}/submit", null));
        return await AcceptAllAndSignOffAsync(officer, key, version, template);
    }

    /// <summary>
    /// Every checklist that applies to the version and is not signed off yet, through the workflow: the owner starts (when
    /// not started), completes and submits it, the officer accepts every answer and signs off. The default High-risk
    /// Production policy asks for this before a promotion (ADR-031).
    /// </summary>
    public static async Task SignOffApplicableAsync(HttpClient owner, HttpClient officer, string key, string version)
    {
        var rows = await OkAsync(await owner.GetAsync($"/api/v1/models/{key}/versions/{version}/assessments"));
        foreach (var row in rows.EnumerateArray().Where(r => !r.GetProperty("signedOff").GetBoolean()).ToList())
        {
            var template = row.GetProperty("template").GetString()!;
            if (row.GetProperty("status").GetString() == "notStarted")
            {
                await OkAsync(await owner.PostAsync($"/api/v1/models/{key}/versions/{version}/assessments", Json(new { template })));
            }
            await SignedOffAsync(owner, officer, key, version, template);
        }
    }

    /// <summary>Accepts every answer not yet accepted, then signs off.</summary>
    public static async Task<JsonElement> AcceptAllAndSignOffAsync(HttpClient officer, string key, string version, string template = "hipaa")
    {
        var submitted = await GetAsync(officer, key, version, template);
        foreach (var answer in submitted.GetProperty("answers").EnumerateArray().Where(a => a.GetProperty("review").GetString() != "accepted"))
        {
            await OkAsync(await officer.PostAsync($"{Assessment(key, version, template)}/items/{answer.GetProperty("item").GetString()}/review",
                Json(new { decision = "accepted", answerRevision = answer.GetProperty("revision").GetInt32() })));
        }
        var current = await GetAsync(officer, key, version, template);
        return await OkAsync(await officer.PostAsync($"{Assessment(key, version, template)}/sign-off",
            Json(new { revision = current.GetProperty("revision").GetInt32() })));
    }
}
