namespace GovernancePortal.Identity;

public sealed record Persona(Guid ObjectId, string Username, string DisplayName, string Team, string Role, string Description);

/// <summary>The fixed people of development sign-in. Scripts rely on these usernames; do not rename them.</summary>
public static class DemoPersonas
{
    public static readonly Guid TenantId = Guid.Parse("7a1d5f0e-0000-4000-8000-00000000d3e0");

    public static readonly IReadOnlyList<Persona> All =
    [
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000001"), "owner@demo.test", "Olivia Owner", "Credit Risk Analytics", Roles.ModelOwner,
            "Data scientist who owns the credit and fraud models."),
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000002"), "owner2@demo.test", "Omar Okafor", "Clinical AI", Roles.ModelOwner,
            "ML engineer who owns the clinical and operations models."),
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000003"), "compliance@demo.test", "Chloe Compliance", "Model Risk Management", Roles.ComplianceOfficer,
            "Privacy and model-risk officer who approves promotions."),
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000004"), "compliance2@demo.test", "Carlos Castillo", "Model Risk Management", Roles.ComplianceOfficer,
            "Second approver for high-risk promotions."),
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000005"), "viewer@demo.test", "Vera Viewer", "Retail Banking", Roles.Viewer,
            "Business stakeholder who reviews production models."),
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000006"), "auditor@demo.test", "Arthur Auditor", "Internal Audit", Roles.Auditor,
            "Auditor who reads everything and exports evidence."),
        new(Guid.Parse("0d3e0000-0000-4000-8000-000000000007"), "admin@demo.test", "Ada Admin", "ML Platform", Roles.Admin,
            "Platform owner who manages API clients and settings."),
    ];

    public static Persona? Find(string username) =>
        All.FirstOrDefault(p => string.Equals(p.Username, username, StringComparison.OrdinalIgnoreCase));
}
