using GovernancePortal.Identity;

namespace GovernancePortal.Home;

/// <summary>Which parts of the home page a person sees, from their roles; someone with several roles sees each part.</summary>
public static class HomeSections
{
    [Flags]
    public enum Kind
    {
        None = 0,
        Stakeholder = 1,
        Compliance = 2,
        Audit = 4,
        Owner = 8,
    }

    public static Kind For(IEnumerable<string> roles)
    {
        var kind = Kind.None;
        foreach (var role in roles)
        {
            kind |= role switch
            {
                Roles.ModelOwner => Kind.Owner,
                Roles.ComplianceOfficer => Kind.Compliance,
                Roles.Auditor => Kind.Audit,
                // Viewers are the business stakeholders; admins look after the portal and read the portfolio view.
                Roles.Viewer or Roles.Admin => Kind.Stakeholder,
                _ => Kind.None,
            };
        }
        return kind;
    }

    public static string Subtitle(Kind kind) => kind switch
    {
        _ when kind.HasFlag(Kind.Owner) => "Your team's models and what stands between each and production.",
        _ when kind.HasFlag(Kind.Compliance) => "Approvals and checklist reviews waiting for a compliance officer.",
        _ when kind.HasFlag(Kind.Audit) => "The state of the audit trail: verification, the latest signed checkpoint and recent activity.",
        _ => "What runs in production, at which risk, and how well it is documented.",
    };
}
