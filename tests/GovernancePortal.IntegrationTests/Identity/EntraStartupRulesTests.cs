using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Identity.Abstractions;

namespace GovernancePortal.Identity;

/// <summary>Which sign-in settings the portal starts with (the process tests in Hosting check the refusals end to end).</summary>
public sealed class EntraStartupRulesTests
{
    private static PortalAuthenticationOptions Settings(bool developmentSignIn, CredentialDescription? credential, string instance = "https://login.microsoftonline.com/") => new()
    {
        DevelopmentSignIn = developmentSignIn,
        Entra = new EntraOptions
        {
            TenantId = Guid.NewGuid().ToString(), ClientId = Guid.NewGuid().ToString(), Instance = instance,
            ClientCredentials = credential is null ? [] : [credential],
        },
    };

    private static CredentialDescription Secret(string? value) => new() { SourceType = CredentialSource.ClientSecret, ClientSecret = value };

    private static HostingEnvironment In(string environment) => new() { EnvironmentName = environment };

    [Fact]
    public void Entra_with_a_secret_or_a_certificate_is_allowed_in_production_and_next_to_development_sign_in_in_development()
    {
        var certificate = new CredentialDescription { SourceType = CredentialSource.Path, CertificateDiskPath = "/run/secrets/portal.pfx" };
        Assert.Null(Settings(developmentSignIn: false, Secret("secret")).StartupProblem(In(Environments.Production)));
        Assert.Null(Settings(developmentSignIn: false, certificate).StartupProblem(In(Environments.Production)));
        Assert.Null(Settings(developmentSignIn: true, Secret("secret")).StartupProblem(In(Environments.Development)));
        Assert.Null(Settings(developmentSignIn: false, Secret("secret"), "http://127.0.0.1:5000/").StartupProblem(In(Environments.Development)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Entra_without_a_client_credential_is_refused_in_one_line(string? secret)
    {
        foreach (var settings in new[] { Settings(developmentSignIn: false, Secret(secret)), Settings(developmentSignIn: false, null) })
        {
            var problem = settings.StartupProblem(In(Environments.Production));

            Assert.StartsWith("Entra ID sign-in (AzureAd) has no client credential", problem);
            Assert.DoesNotContain('\n', problem!);
        }
    }

    [Fact]
    public void A_plain_http_instance_is_refused_outside_development()
    {
        var problem = Settings(developmentSignIn: false, Secret("secret"), "http://login.example.test/").StartupProblem(In(Environments.Production));

        Assert.StartsWith("AzureAd:Instance must be an https address in the 'Production' environment", problem);
    }
}
