namespace GovernancePortal.Identity;

public sealed class PortalAuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>Offer the demo personas at /account/sign-in. Refused outside Development.</summary>
    public bool DevelopmentSignIn { get; set; }

    public EntraOptions Entra { get; set; } = new();

    /// <summary>Why the portal must not serve with these settings, or null when it may.</summary>
    public string? StartupProblem(IHostEnvironment environment)
    {
        if (DevelopmentSignIn && !environment.IsDevelopment())
        {
            return $"Development sign-in (Authentication:DevelopmentSignIn=true) is refused in the '{environment.EnvironmentName}' environment: "
                + "it lets anyone sign in as any persona. Set ASPNETCORE_ENVIRONMENT=Development for local use, "
                + "or turn it off and configure Entra ID under Authentication:Entra.";
        }
        if (Entra.IsConfigured && string.IsNullOrWhiteSpace(Entra.ClientSecret))
        {
            return "Entra ID sign-in (Authentication:Entra) has no ClientSecret: set Authentication__Entra__ClientSecret to a client secret of the app registration.";
        }
        if (Entra.IsConfigured && !Entra.RequireHttpsMetadata && !environment.IsDevelopment())
        {
            return $"Authentication:Entra:RequireHttpsMetadata=false is refused in the '{environment.EnvironmentName}' environment: "
                + "signing keys fetched over plain HTTP could be forged.";
        }
        if (!DevelopmentSignIn && !Entra.IsConfigured)
        {
            return "No sign-in is configured: set Authentication:DevelopmentSignIn=true in the Development environment, "
                + "or configure Entra ID under Authentication:Entra (TenantId, ClientId, ClientSecret).";
        }
        return null;
    }
}

public sealed class EntraOptions
{
    public string Instance { get; set; } = "https://login.microsoftonline.com/";
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }
    /// <summary>From configuration or the environment only; never logged or shown.</summary>
    public string? ClientSecret { get; set; }
    /// <summary>Overrides <c>{Instance}{TenantId}/v2.0</c>, for sovereign clouds and for tests against a local provider.</summary>
    public string? Authority { get; set; }
    /// <summary>False only in Development (a local provider over http); refused at startup elsewhere.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>The redirect URI path registered on the app registration.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(ClientId);

    public string EffectiveAuthority => string.IsNullOrWhiteSpace(Authority)
        ? $"{Instance.TrimEnd('/')}/{TenantId}/v2.0"
        : Authority.TrimEnd('/');

    public string MetadataAddress => $"{EffectiveAuthority}/.well-known/openid-configuration";
}
