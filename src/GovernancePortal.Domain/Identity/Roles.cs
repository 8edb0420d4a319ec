namespace GovernancePortal.Identity;

/// <summary>Application roles as Entra ID app roles name them in the <c>roles</c> claim.</summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string ModelOwner = "ModelOwner";
    public const string ComplianceOfficer = "ComplianceOfficer";
    public const string Auditor = "Auditor";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Viewer, ModelOwner, ComplianceOfficer, Auditor, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
