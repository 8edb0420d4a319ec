using Microsoft.Identity.Abstractions;

namespace GovernancePortal.Identity;

public sealed class PortalAuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>Offer the demo personas at /account/sign-in. Refused outside Development.</summary>
    public bool DevelopmentSignIn { get; set; }

    /// <summary>Bound from the <c>AzureAd</c> section (Microsoft.Identity.Web's convention), not from this one.</summary>
    public EntraOptions Entra { get; set; } = new();

    /// <summary>Why the portal must not serve with these settings, or null when it may.</summary>
    public string? StartupProblem(IHostEnvironment environment)
    {
        if (DevelopmentSignIn && !environment.IsDevelopment())
        {
            return $"Development sign-in (Authentication:DevelopmentSignIn=true) is refused in the '{environment.EnvironmentName}' environment: "
                + "it lets anyone sign in as any persona. Set ASPNETCORE_ENVIRONMENT=Development for local use, "
                + "or turn it off and configure Entra ID in the AzureAd section.";
        }
        if (Entra.IsConfigured && Entra.Credential is null)
        {
            return "Entra ID sign-in (AzureAd) has no client credential: set AzureAd__ClientCredentials__0__SourceType=ClientSecret and "
                + "AzureAd__ClientCredentials__0__ClientSecret to a client secret of the app registration, or describe a certificate there.";
        }
        if (Entra.IsConfigured && !environment.IsDevelopment() && !Entra.Instance.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return $"AzureAd:Instance must be an https address in the '{environment.EnvironmentName}' environment: "
                + "signing keys fetched over plain HTTP could be forged.";
        }
        if (!DevelopmentSignIn && !Entra.IsConfigured)
        {
            return "No sign-in is configured: set Authentication:DevelopmentSignIn=true in the Development environment, "
                + "or configure Entra ID in the AzureAd section (TenantId, ClientId, ClientCredentials).";
        }
        return null;
    }
}

/// <summary>The part of Microsoft.Identity.Web's <c>AzureAd</c> section the portal itself reads (Identity.Web binds the rest).</summary>
public sealed class EntraOptions
{
    public const string Section = "AzureAd";

    public string Instance { get; set; } = "https://login.microsoftonline.com/";
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }
    /// <summary>The redirect URI path registered on the app registration.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";
    /// <summary>A client secret or a certificate (Microsoft.Identity.Web.Certificate loads it); the first usable one is taken.</summary>
    public List<CredentialDescription> ClientCredentials { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>The credential that redeems authorization codes: a client secret, or any certificate source.</summary>
    public CredentialDescription? Credential => ClientCredentials.FirstOrDefault(c => c.Skip is false && c.SourceType switch
    {
        CredentialSource.ClientSecret => !string.IsNullOrWhiteSpace(c.ClientSecret),
        CredentialSource.Certificate or CredentialSource.KeyVault or CredentialSource.Base64Encoded or CredentialSource.Path
            or CredentialSource.StoreWithThumbprint or CredentialSource.StoreWithDistinguishedName => true,
        _ => false,
    });
}
