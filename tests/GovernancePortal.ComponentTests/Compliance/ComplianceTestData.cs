using System.Security.Claims;
using Bunit;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Compliance;

/// <summary>Fresh models for the compliance page tests, registered through the real service, and the people who act on them.</summary>
public static class ComplianceTestData
{
    public const string Baa = "hipaa-164-502-e-business-associates";
    public static readonly Caller Owner2 = new("owner2@demo.test", [Roles.ModelOwner], "Clinical AI");
    public static readonly Caller Officer = new("compliance@demo.test", [Roles.ComplianceOfficer], null);
    public static readonly byte[] Pdf = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"u8.ToArray();

    public static async Task<T> InScopeAsync<T>(this BunitContext context, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>A High-risk clinical model (PHI) of owner2's team with the given versions, so HIPAA applies.</summary>
    public static async Task<string> PhiModelAsync(this BunitContext context, string prefix, params string[] versions)
    {
        var key = $"{prefix}-{Guid.NewGuid():N}"[..40].TrimEnd('-');
        await context.InScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<RegistryService>();
            var model = await registry.RegisterModelAsync(Owner2, new RegisterModelRequest(key, "Sepsis triage", "Flags patients for review.", Owner2.Username,
                "Head of Nursing", "Clinical AI", "Triage", RiskTier.High, [DataCategories.ProtectedHealthInformation], []));
            Assert.Null(model.Failure);
            foreach (var version in versions.Length == 0 ? ["1.0.0"] : versions)
            {
                var registered = await registry.RegisterVersionAsync(Owner2, key, new RegisterVersionRequest(version, ChangeKind.ImprovedModel, "Retrained on Q3 data.",
                    $"s3://ml-artifacts/{key}/{version}/model.tar.gz", new string('a', 64), null, null));
                Assert.True(registered.Failure is null, registered.Failure?.Message);
            }
            return key;
        });
        return key;
    }

    public static Audit.AuditActor ActorOf(Caller caller) => new("oid-" + caller.Username, caller.Username, caller.Roles.Order(StringComparer.Ordinal).ToArray());

    /// <summary>Signs <paramref name="caller"/> in for the page's AuthorizeView and cascading authentication state.</summary>
    public static void SignIn(this BunitContext context, Caller caller)
    {
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(caller.Username);
        authorization.SetClaims([new Claim(PortalClaims.PreferredUsername, caller.Username), new Claim(PortalClaims.ObjectId, "oid-" + caller.Username),
            .. caller.Roles.Select(r => new Claim(PortalClaims.Roles, r))]);
        authorization.SetPolicies(caller.Roles.Contains(Roles.ComplianceOfficer) ? [Policies.AuditReader, Policies.ChecklistEditor] : []);
    }
}
