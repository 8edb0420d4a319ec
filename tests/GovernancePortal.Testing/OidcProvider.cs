using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Identity;

namespace GovernancePortal.Testing;

public sealed record TestEntraUser(string Username, Guid Oid, string Name, string[] Roles);

public sealed record TestEntraApp(string ClientId, string ClientSecret, Guid Oid, string[] Roles);

/// <summary>
/// A real OpenID Connect provider (node oidc-provider, tests/oidc-provider) on a free loopback port, issuing Entra-shaped
/// tokens for one tenant. scripts/test.sh installs its packages with npm ci.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public static readonly Guid TenantId = Guid.Parse("7a1c2f4e-0d5b-4c1e-9a51-6f0f9e3c2b10");
    public const string PortalClientId = "3f6a9c2e-8b1d-4e7a-a2c4-5d9e0f1b7c38";
    public const string PortalClientSecret = "portal-test-secret";

    public static readonly TestEntraUser Owner = new("erin.owner@contoso.test", Guid.Parse("0b6f4f0e-5d1c-4f61-9a0e-1c2d3e4f5a61"), "Erin Owner", [Roles.ModelOwner]);
    public static readonly TestEntraUser Auditor = new("ari.auditor@contoso.test", Guid.Parse("0b6f4f0e-5d1c-4f61-9a0e-1c2d3e4f5a62"), "Ari Auditor", [Roles.Auditor, "SomeOtherAppRole"]);
    public static readonly TestEntraUser NoRole = new("nora.norole@contoso.test", Guid.Parse("0b6f4f0e-5d1c-4f61-9a0e-1c2d3e4f5a63"), "Nora Norole", []);
    public static readonly TestEntraApp ReaderPipeline = new("pipeline-reader", "pipeline-reader-secret", Guid.Parse("0b6f4f0e-5d1c-4f61-9a0e-1c2d3e4f5a71"), [Roles.Viewer]);
    public static readonly TestEntraApp UnassignedPipeline = new("pipeline-unassigned", "pipeline-unassigned-secret", Guid.Parse("0b6f4f0e-5d1c-4f61-9a0e-1c2d3e4f5a72"), []);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http;

    public string Issuer { get; }

    private OidcProvider(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
        _http = new HttpClient { BaseAddress = new Uri(issuer) };
    }

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <summary>Starts the provider with the portal registered for the given base addresses (redirect and post-logout URIs).</summary>
    public static Task<OidcProvider> StartAsync(params string[] portalBaseAddresses) => StartAsync(portalBaseAddresses, null);

    /// <summary>As above; with <paramref name="portalJwks"/> the portal must authenticate with a client assertion signed by one of those keys.</summary>
    public static async Task<OidcProvider> StartAsync(string[] portalBaseAddresses, object? portalJwks)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "tests", "oidc-provider");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException($"{directory} has no node_modules: run `npm ci` there (scripts/test.sh does).");
        }
        var port = FreePort();
        var issuer = $"http://127.0.0.1:{port}";
        var settings = new
        {
            port,
            tenantId = TenantId.ToString(),
            portal = new
            {
                clientId = PortalClientId,
                clientSecret = PortalClientSecret,
                redirectUris = portalBaseAddresses.Select(b => $"{b.TrimEnd('/')}/signin-oidc").ToArray(),
                postLogoutRedirectUris = portalBaseAddresses.Select(b => $"{b.TrimEnd('/')}/account/sign-in?signedOut=1").ToArray(),
                audience = $"api://{PortalClientId}",
                jwks = portalJwks,
            },
            apps = new[] { ReaderPipeline, UnassignedPipeline }.Select(a => new { clientId = a.ClientId, clientSecret = a.ClientSecret, oid = a.Oid, roles = a.Roles }),
            users = new[] { Owner, Auditor, NoRole }.Select(u => new { username = u.Username, oid = u.Oid, name = u.Name, roles = u.Roles }),
        };
        var start = new ProcessStartInfo("node", "provider.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OIDC_TEST_CONFIG"] = JsonSerializer.Serialize(settings);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var provider = new OidcProvider(process, issuer);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            provider.Append(e.Data);
            if (e.Data?.StartsWith("listening ", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => provider.Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The OIDC provider exited:\n{provider.Log}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
        return provider;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log) { _log.AppendLine(line); }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An access token for an application, by the client-credentials grant, as a pipeline gets one.</summary>
    public async Task<string> ClientCredentialsTokenAsync(TestEntraApp app)
    {
        using var response = await _http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = app.ClientId,
            ["client_secret"] = app.ClientSecret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The token endpoint answered {(int)response.StatusCode}: {body}");
        }
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    /// <summary>Signs a claim set with the provider's signing key, or with the next key it does not publish yet.</summary>
    public async Task<string> SignAsync(JsonObject payload, bool nextKey = false)
    {
        using var response = await _http.PostAsJsonAsync("/test/sign", new { payload, key = nextKey ? "next" : "current" });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Publishes the next signing key in the JWKS, as Entra does before it signs with a new key.</summary>
    public async Task PublishNextKeyAsync() => (await _http.PostAsync("/test/publish-next-key", null)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
