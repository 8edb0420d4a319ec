using System.Net;
using AngleSharp;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GovernancePortal.Testing;

/// <summary>A browser-like HTTP client: keeps cookies, reads antiforgery tokens from pages, posts forms.</summary>
public sealed class PortalClient(HttpClient http)
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Http { get; } = http;

    public static PortalClient Anonymous(PortalFactory factory) =>
        new(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public static async Task<PortalClient> SignedInAsync(PortalFactory factory, string username)
    {
        var client = Anonymous(factory);
        await client.SignInAsync(username);
        return client;
    }

    public async Task SignInAsync(string username)
    {
        var page = await GetDocumentAsync("/account/sign-in");
        var response = await PostFormAsync("/account/sign-in/persona", page, new() { ["username"] = username, ["returnUrl"] = "/" });
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
        {
            throw new InvalidOperationException($"Sign-in as {username} answered {(int)response.StatusCode} {response.Headers.Location}.");
        }
    }

    public async Task<IHtmlDocument> GetDocumentAsync(string url)
    {
        var response = await Http.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {html[..Math.Min(500, html.Length)]}");
        }
        var document = Parser.ParseDocument(html);
        HtmlDateTimes.ThrowIfInvalid(document, $"GET {url}");
        return document;
    }

    public static IHtmlDocument Parse(string html)
    {
        var document = Parser.ParseDocument(html);
        HtmlDateTimes.ThrowIfInvalid(document, "The page");
        return document;
    }

    /// <summary>Posts a form with the antiforgery token the page carries.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string url, IHtmlDocument page, Dictionary<string, string> fields)
    {
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The page carries no antiforgery token.");
        var content = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return Http.PostAsync(url, new FormUrlEncodedContent(content));
    }
}
