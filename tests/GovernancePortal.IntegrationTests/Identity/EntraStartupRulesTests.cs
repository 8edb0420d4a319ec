using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace GovernancePortal.Identity;

/// <summary>Which sign-in settings the portal starts with (the process tests in Hosting check the refusals end to end).</summary>
public sealed class EntraStartupRulesTests
{
    private static PortalAuthenticationOptions Settings(bool developmentSignIn, string? secret, bool requireHttps = true) => new()
    {
        DevelopmentSignIn = developmentSignIn,
        Entra = new EntraOptions { TenantId = Guid.NewGuid().ToString(), ClientId = Guid.NewGuid().ToString(), ClientSecret = secret, RequireHttpsMetadata = requireHttps },
    };

    private static HostingEnvironment In(string environment) => new() { EnvironmentName = environment };

    [Fact]
    public void Entra_with_a_secret_is_allowed_in_production_and_next_to_development_sign_in_in_development()
    {
        Assert.Null(Settings(developmentSignIn: false, "secret").StartupProblem(In(Environments.Production)));
        Assert.Null(Settings(developmentSignIn: true, "secret").StartupProblem(In(Environments.Development)));
        Assert.Null(Settings(developmentSignIn: false, "secret", requireHttps: false).StartupProblem(In(Environments.Development)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Entra_without_a_client_secret_is_refused_in_one_line(string? secret)
    {
        var problem = Settings(developmentSignIn: false, secret).StartupProblem(In(Environments.Production));

        Assert.StartsWith("Entra ID sign-in (Authentication:Entra) has no ClientSecret", problem);
        Assert.DoesNotContain('\n', problem!);
    }

    [Fact]
    public void The_default_authority_is_the_tenants_v2_endpoint_and_can_be_overridden()
    {
        var entra = new EntraOptions { TenantId = "contoso-tenant", ClientId = "app" };
        Assert.Equal("https://login.microsoftonline.com/contoso-tenant/v2.0/.well-known/openid-configuration", entra.MetadataAddress);

        entra.Authority = "http://127.0.0.1:5000/";
        Assert.Equal("http://127.0.0.1:5000/.well-known/openid-configuration", entra.MetadataAddress);
    }
}
