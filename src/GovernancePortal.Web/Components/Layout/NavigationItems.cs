using GovernancePortal.Identity;

namespace GovernancePortal.Components.Layout;

public sealed record NavigationItem(string Title, string Href, IReadOnlyList<string> Roles);

/// <summary>The portal's areas and who sees them. An area appears here once it has pages.</summary>
public static class NavigationItems
{
    public static readonly IReadOnlyList<NavigationItem> All =
    [
        new("Overview", "/", Identity.Roles.All),
        new("Models", "/models", Identity.Roles.All),
        new("Production now", "/production", Identity.Roles.All),
        new("Retirements", "/retirements", Identity.Roles.All),
        new("Approvals", "/approvals", Identity.Roles.All),
        // Stakeholders read reports about models (PRODUCT.md), and where the portfolio stands on its checklists is one.
        new("Compliance", "/compliance", Identity.Roles.All),
        new("Review queue", "/review-queue", [Identity.Roles.ComplianceOfficer]),
        new("Reports", "/reports", Identity.Roles.All),
        new("Audit", "/audit", [Identity.Roles.Auditor, Identity.Roles.ComplianceOfficer]),
        new("Admin", "/admin/api-keys", [Identity.Roles.Admin]),
        new("Sessions", "/admin/sessions", [Identity.Roles.Admin]),
        new("Delivery", "/admin/notifications", [Identity.Roles.Admin]),
        new("Webhooks", "/admin/webhooks", [Identity.Roles.Admin]),
    ];

    public static IEnumerable<NavigationItem> For(IEnumerable<string> roles)
    {
        var held = roles.ToHashSet(StringComparer.Ordinal);
        return All.Where(item => item.Roles.Any(held.Contains));
    }
}
