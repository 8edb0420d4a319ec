namespace GovernancePortal.Identity;

/// <summary>Claim types as Entra ID issues them in id tokens, so development sign-in and real sign-in look alike.</summary>
public static class PortalClaims
{
    public const string ObjectId = "oid";
    public const string TenantId = "tid";
    public const string Name = "name";
    public const string PreferredUsername = "preferred_username";
    public const string Roles = "roles";
    /// <summary>Set when a request authenticates with an API key: the key's label.</summary>
    public const string ApiKeyLabel = "api_key";
    /// <summary>How a person signed in ("entra"), so sign-out knows to end the Entra session too.</summary>
    public const string SignInMethod = "sign_in_method";
}
