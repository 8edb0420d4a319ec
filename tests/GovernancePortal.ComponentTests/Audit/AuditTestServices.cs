using System.Security.Claims;
using Bunit;
using GovernancePortal.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace GovernancePortal.Audit;

/// <summary>The audit services the auditor's pages use, over the test database, signed in as <paramref name="username"/>.</summary>
internal static class AuditTestServices
{
    public static void Add(BunitContext context, PortalDatabase database, string username)
    {
        database.AddServices(context.Services, TimeProvider.System);
        using var signer = CheckpointSigner.CreateKey();
        var pem = signer.ExportPkcs8PrivateKeyPem();
        context.Services.AddOptions<AuditOptions>().Configure(o => o.CheckpointKeyPem = pem);
        context.Services.AddSingleton<IHostEnvironment>(new TestEnvironment());
        context.Services.AddSingleton<CheckpointKey>();
        context.Services.AddAuditWitness();
        context.Services.AddScoped<AuditSearch>();
        context.Services.AddScoped<AuditVerificationService>();
        context.Services.AddScoped<ApiKeyService>();
        context.Services.AddScoped<ApiKeyAdministration>();
        context.Services.AddAuditPages();
        var persona = DemoPersonas.Find(username)!;
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, persona.ObjectId.ToString()), new Claim(PortalClaims.Name, persona.DisplayName),
            new Claim(PortalClaims.PreferredUsername, persona.Username), new Claim(PortalClaims.Roles, persona.Role));
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "GovernancePortal.ComponentTests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
