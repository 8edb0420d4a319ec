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
        if (!DevelopmentSignIn && Entra.IsConfigured)
        {
            return "Entra ID sign-in (Authentication:Entra) is configured, but this build does not include the Entra ID sign-in flow yet. "
                + "Run in Development with Authentication:DevelopmentSignIn=true.";
        }
        if (!DevelopmentSignIn)
        {
            return "No sign-in is configured: set Authentication:DevelopmentSignIn=true in the Development environment, "
                + "or configure Entra ID under Authentication:Entra (Instance, TenantId, ClientId).";
        }
        return null;
    }
}

public sealed class EntraOptions
{
    public string Instance { get; set; } = "https://login.microsoftonline.com/";
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(ClientId);
}
