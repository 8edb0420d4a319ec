using Microsoft.AspNetCore.Authorization;

namespace GovernancePortal.Identity;

/// <summary>Every page and endpoint names one of these; a test enforces it.</summary>
public static class Policies
{
    /// <summary>Anyone signed in with at least one portal role.</summary>
    public const string Reader = nameof(Reader);
    public const string ModelOwner = nameof(ModelOwner);
    public const string Approver = nameof(Approver);
    /// <summary>May fill an approval slot of a promotion request (the roles a policy can ask approvals from); the workflow decides which.</summary>
    public const string PromotionDecider = nameof(PromotionDecider);
    /// <summary>Either half of an emergency rollback: model owners and compliance officers.</summary>
    public const string RollbackParticipant = nameof(RollbackParticipant);
    /// <summary>Reads the audit trail: auditors and compliance officers.</summary>
    public const string AuditReader = nameof(AuditReader);
    public const string Admin = nameof(Admin);
    /// <summary>Changes a model's own details: model owners (of its team, checked per model) and admins.</summary>
    public const string ModelEditor = nameof(ModelEditor);
    /// <summary>Changes promotion policies: compliance officers and admins.</summary>
    public const string PolicyEditor = nameof(PolicyEditor);
    /// <summary>Manages checklist templates: compliance officers and admins.</summary>
    public const string ChecklistEditor = nameof(ChecklistEditor);
    /// <summary>Signed in, whatever the roles (sign-out, the access-denied page).</summary>
    public const string SignedIn = nameof(SignedIn);

    public static void Configure(AuthorizationOptions options)
    {
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        options.AddPolicy(Reader, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.All));
        options.AddPolicy(ModelOwner, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.ModelOwner));
        options.AddPolicy(Approver, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.ComplianceOfficer));
        options.AddPolicy(PromotionDecider, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Approvals.PromotionPolicy.ApproverRoles));
        options.AddPolicy(RollbackParticipant, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.ModelOwner, Roles.ComplianceOfficer));
        options.AddPolicy(AuditReader, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.Auditor, Roles.ComplianceOfficer));
        options.AddPolicy(ChecklistEditor, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.ComplianceOfficer, Roles.Admin));
        options.AddPolicy(ModelEditor, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.ModelOwner, Roles.Admin));
        options.AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Roles.Admin));
        options.AddPolicy(PolicyEditor, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.Roles, Approvals.PolicyEditing.EditorRoles));
        // A route that forgets its policy still needs a signed-in person; the endpoint test makes forgetting fail.
        options.FallbackPolicy = options.GetPolicy(SignedIn);
    }
}
