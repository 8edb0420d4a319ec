using System.Text.RegularExpressions;
using GovernancePortal.Identity;

namespace GovernancePortal.Registry;

/// <summary>The person acting, as the registry's rules need them.</summary>
public sealed record Caller(string Username, IReadOnlyCollection<string> Roles, string? Team)
{
    public bool Has(string role) => Roles.Contains(role);
}

/// <summary>Who may register and document which models, and how version numbers must move. No I/O.</summary>
public static partial class RegistryRules
{
    public const int KeyMaxLength = 64;

    // \z, not $: "$" also matches before a final newline, which would let "key\n" through.
    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\z")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex Sha256Pattern();

    public static bool IsValidKey(string? key) => key is not null && KeyPattern().IsMatch(key) && !key.Contains("--", StringComparison.Ordinal);

    /// <summary>64 lowercase hex digits; uppercase is accepted and normalised by the caller.</summary>
    public static bool IsValidSha256(string? value) => value is not null && Sha256Pattern().IsMatch(value.ToLowerInvariant());

    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>Artifact locations: object stores, registries and web URLs, never script or data URLs.</summary>
    public static bool IsArtifactUri(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme is "s3" or "gs" or "az" or "abfs" or "abfss" or "wasbs" or "hdfs" or "dbfs" or "file" or "https" or "http" or "models" or "runs" or "oci";

    /// <summary>Null when the caller may register a model for that owner and team; otherwise why not.</summary>
    public static string? WhyCannotRegister(Caller caller, string owner, string? ownerTeam, string team)
    {
        if (!caller.Has(Roles.ModelOwner))
        {
            return "Only model owners register models.";
        }
        if (ownerTeam is null)
        {
            return $"The owner '{owner}' is not a person the portal knows.";
        }
        if (!string.Equals(team, caller.Team, StringComparison.Ordinal))
        {
            return $"You can register models for your own team ({caller.Team ?? "none"}), not for '{team}'.";
        }
        return string.Equals(ownerTeam, caller.Team, StringComparison.Ordinal)
            ? null
            : $"The owner must be you or a member of your team; '{owner}' is in '{ownerTeam}'.";
    }

    /// <summary>Null when the caller may add versions to, or document, a model; otherwise why not.</summary>
    public static string? WhyCannotEdit(Caller caller, string modelOwner, string modelTeam)
    {
        if (!caller.Has(Roles.ModelOwner))
        {
            return "Only model owners change models.";
        }
        return string.Equals(caller.Username, modelOwner, StringComparison.OrdinalIgnoreCase)
            || string.Equals(caller.Team, modelTeam, StringComparison.Ordinal)
            ? null
            : $"This model belongs to {modelOwner} ({modelTeam}); only its owner and their team change it.";
    }

    /// <summary>
    /// Null when the caller may change the model's own details (name, description, risk tier, data categories, regulatory
    /// flags): its owner and their team, and platform admins, who already answer for ownership.
    /// </summary>
    public static string? WhyCannotEditDetails(Caller caller, string modelOwner, string modelTeam) =>
        caller.Has(Roles.Admin) ? null
        : caller.Has(Roles.ModelOwner) ? WhyCannotEdit(caller, modelOwner, modelTeam)
        : "Only the model's owner, their team and platform admins change a model's details.";

    /// <summary>
    /// The number a new version must carry: any valid number for a model's first version, otherwise the highest
    /// existing version moved by the change kind. Null when <paramref name="requested"/> is right.
    /// </summary>
    public static string? WhyWrongVersion(IEnumerable<VersionNumber> existing, VersionNumber requested, ChangeKind kind)
    {
        var highest = existing.DefaultIfEmpty().Max();
        if (!existing.Any())
        {
            // 0.0.0 is the number below every version: nothing can follow from it as a change kind says.
            return requested == default ? "0.0.0 is not a version number; start at 0.0.1, 0.1.0 or 1.0.0." : null;
        }
        if (existing.Contains(requested))
        {
            return $"Version {requested} is already registered.";
        }
        var expected = highest.Next(kind);
        return requested == expected
            ? null
            : $"Expected {expected}: {Describe(kind)} after {highest} moves {Part(kind)}.";
    }

    public static string Describe(ChangeKind kind) => kind switch
    {
        ChangeKind.IncompatibleDataChange => "an incompatible data change",
        ChangeKind.ImprovedModel => "an improved model",
        _ => "a training-pipeline change",
    };

    private static string Part(ChangeKind kind) => kind switch
    {
        ChangeKind.IncompatibleDataChange => "MAJOR and resets MINOR and PIPELINE",
        ChangeKind.ImprovedModel => "MINOR and resets PIPELINE",
        _ => "PIPELINE",
    };
}
