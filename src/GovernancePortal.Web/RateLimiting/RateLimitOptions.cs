namespace GovernancePortal.RateLimiting;

/// <summary>One fixed window: at most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/> for each partition.</summary>
public sealed class RateLimitWindow
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; } = 60;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);

    public bool IsValid => PermitLimit > 0 && WindowSeconds is > 0 and <= 86_400;
}

/// <summary>The <c>RateLimits</c> section; every limit has a default that a person or pipeline working normally stays under.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in attempts (starting a sign-in, development sign-in) per client address.</summary>
    public RateLimitWindow SignIn { get; set; } = new() { PermitLimit = 20 };

    /// <summary>API calls per API key, or per person for Entra tokens.</summary>
    public RateLimitWindow Api { get; set; } = new() { PermitLimit = 600 };

    /// <summary>API calls that carry no valid credential (wrong or revoked keys, none at all) per client address.</summary>
    public RateLimitWindow UnauthenticatedApi { get; set; } = new() { PermitLimit = 30 };

    /// <summary>Uploads (evidence files, model card imports) per person.</summary>
    public RateLimitWindow Uploads { get; set; } = new() { PermitLimit = 30, WindowSeconds = 300 };

    public bool IsValid => new[] { SignIn, Api, UnauthenticatedApi, Uploads }.All(w => w.IsValid);
}
