using System.Globalization;

namespace GovernancePortal.Registry;

public sealed record RegisterModelRequest(
    string? Key, string? Name, string? Description, string? Owner, string? BusinessOwner, string? Team, string? UseCase,
    RiskTier? RiskTier, IReadOnlyList<DataCategories>? DataCategories, IReadOnlyList<string>? Tags,
    bool? EuDataSubjects = null, bool? AutomatedLegalEffect = null);

/// <summary>
/// A change to a model's own details; a member left out (or null) stays as it is. <see cref="Revision"/>, when given, is the
/// model's revision the change was made on: if the model changed since, nothing is saved (409).
/// </summary>
public sealed record UpdateModelRequest(
    string? Name = null, string? Description = null, string? BusinessOwner = null, string? UseCase = null, RiskTier? RiskTier = null,
    IReadOnlyList<DataCategories>? DataCategories = null, IReadOnlyList<string>? Tags = null, bool? EuDataSubjects = null,
    bool? AutomatedLegalEffect = null, int? Revision = null);

public sealed record LineageRequest(
    string? CodeRepository, string? Commit, string? DataSnapshotId, string? DataSnapshotHash, string? PipelineRunId,
    string? PipelineRunUrl, string? ParentVersion, string? EnvironmentDigest);

public sealed record MetricRequest(string? Name, double? Value, string? Dataset, string? Slice, double? Threshold, bool? HigherIsBetter);

public sealed record RegisterVersionRequest(
    string? Version, ChangeKind? ChangeKind, string? ChangeReason, string? ArtifactUri, string? ArtifactSha256,
    LineageRequest? Lineage, IReadOnlyList<MetricRequest>? Metrics, ModelCard? Card = null);

/// <summary>Field rules for registry requests. Errors are keyed by the JSON path of the field, so every bad field is named.</summary>
public static class RegistryValidation
{
    public const int MaxTags = 20;
    public const int MaxMetrics = 200;

    public static Dictionary<string, string[]> Validate(RegisterModelRequest request)
    {
        var errors = new Errors();
        if (!RegistryRules.IsValidKey(request.Key))
        {
            errors.Add("key", "Use 1 to 64 lowercase letters, digits and single dashes, starting and ending with a letter or digit (e.g. credit-default-pd).");
        }
        errors.Required("name", request.Name, 200);
        errors.Required("owner", request.Owner, 256);
        errors.Required("team", request.Team, 128);
        if (request.RiskTier is null)
        {
            errors.Add("riskTier", "Choose a risk tier: Minimal, Limited, High or Prohibited.");
        }
        Details(errors, request.Description, request.BusinessOwner, request.UseCase, request.DataCategories, request.Tags);
        return errors.ToDictionary();
    }

    /// <summary>The same field rules as registering, for the members the change carries.</summary>
    public static Dictionary<string, string[]> Validate(UpdateModelRequest request)
    {
        var errors = new Errors();
        if (request.Name is not null)
        {
            errors.Required("name", request.Name, 200);
        }
        if (request.RiskTier is { } tier && !Enum.IsDefined(tier))
        {
            errors.Add("riskTier", "Choose a risk tier: Minimal, Limited, High or Prohibited.");
        }
        if (request.DataCategories?.Any(c => !Enum.IsDefined(c)) == true)
        {
            errors.Add("dataCategories", "Use personalData, specialCategoryData, protectedHealthInformation or none.");
        }
        Details(errors, request.Description, request.BusinessOwner, request.UseCase, request.DataCategories, request.Tags);
        return errors.ToDictionary();
    }

    private static void Details(Errors errors, string? description, string? businessOwner, string? useCase,
        IReadOnlyList<DataCategories>? categories, IReadOnlyList<string>? tags)
    {
        errors.Optional("description", description, 4000);
        errors.Optional("businessOwner", businessOwner, 256);
        errors.Optional("useCase", useCase, 1000);
        if (categories is not null && categories.Contains(DataCategories.None) && categories.Count > 1)
        {
            errors.Add("dataCategories", "'None' cannot be combined with other data categories.");
        }
        if (tags is not null)
        {
            if (tags.Count > MaxTags)
            {
                errors.Add("tags", $"At most {MaxTags} tags.");
            }
            for (var i = 0; i < tags.Count; i++)
            {
                if (tags[i] is null || !RegistryRules.IsValidKey(tags[i].Trim().ToLowerInvariant()) || tags[i].Length > 40)
                {
                    errors.Add($"tags[{i}]", "A tag is 1 to 40 letters, digits and dashes.");
                }
            }
        }
    }

    /// <summary>How a model stores its data categories: one set of flags.</summary>
    public static DataCategories Categories(IEnumerable<DataCategories>? categories) =>
        (categories ?? []).Aggregate(DataCategories.None, (all, c) => all | c);

    /// <summary>How a model stores its tags: trimmed, lower-case, distinct, comma-separated.</summary>
    public static string TagText(IEnumerable<string>? tags) => string.Join(',', (tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Distinct());

    public static Dictionary<string, string[]> Validate(RegisterVersionRequest request)
    {
        var errors = new Errors();
        if (!VersionNumber.TryParse(request.Version, out _))
        {
            errors.Add("version", "Use MAJOR.MINOR.PIPELINE with whole numbers and no leading zeros, e.g. 1.4.0.");
        }
        if (request.ChangeKind is null)
        {
            errors.Add("changeKind", "Say what changed: incompatibleDataChange, improvedModel or pipelineChange.");
        }
        errors.Required("changeReason", request.ChangeReason, 2000);
        errors.Required("artifactUri", request.ArtifactUri, 2000);
        if (request.ArtifactUri is { Length: > 0 and <= 2000 } && !RegistryRules.IsArtifactUri(request.ArtifactUri))
        {
            errors.Add("artifactUri", "Give an absolute storage URI (s3://, gs://, az://, https://, models:/ …).");
        }
        if (!RegistryRules.IsValidSha256(request.ArtifactSha256))
        {
            errors.Add("artifactSha256", "Give the artifact's SHA-256 as 64 hexadecimal digits.");
        }
        if (request.Lineage is { } lineage)
        {
            errors.Optional("lineage.codeRepository", lineage.CodeRepository, 2000);
            if (lineage.CodeRepository is { Length: > 0 } repository && !RegistryRules.IsHttpUrl(repository) && !repository.StartsWith("git@", StringComparison.Ordinal))
            {
                errors.Add("lineage.codeRepository", "Give the repository's https:// or git@ address.");
            }
            if (lineage.Commit is { Length: > 0 } commit && (commit.Length is < 7 or > 64 || !commit.All(Uri.IsHexDigit)))
            {
                errors.Add("lineage.commit", "Give the commit id: 7 to 64 hexadecimal digits.");
            }
            errors.Optional("lineage.dataSnapshotId", lineage.DataSnapshotId, 256);
            errors.Optional("lineage.dataSnapshotHash", lineage.DataSnapshotHash, 128);
            errors.Optional("lineage.pipelineRunId", lineage.PipelineRunId, 256);
            errors.Optional("lineage.pipelineRunUrl", lineage.PipelineRunUrl, 2000);
            if (lineage.PipelineRunUrl is { Length: > 0 } runUrl && !RegistryRules.IsHttpUrl(runUrl))
            {
                errors.Add("lineage.pipelineRunUrl", "Give an http(s) address.");
            }
            if (lineage.ParentVersion is { Length: > 0 } parent && !VersionNumber.TryParse(parent, out _))
            {
                errors.Add("lineage.parentVersion", "Use MAJOR.MINOR.PIPELINE, e.g. 1.3.0.");
            }
            errors.Optional("lineage.environmentDigest", lineage.EnvironmentDigest, 128);
        }
        if (request.Metrics is { } metrics)
        {
            if (metrics.Count > MaxMetrics)
            {
                errors.Add("metrics", $"At most {MaxMetrics} metrics.");
            }
            var seen = new HashSet<(string, string, string)>();
            for (var i = 0; i < Math.Min(metrics.Count, MaxMetrics); i++)
            {
                var metric = metrics[i];
                var path = $"metrics[{i}]";
                if (metric is null)
                {
                    errors.Add(path, "A metric cannot be null.");
                    continue;
                }
                errors.Required(path + ".name", metric.Name, 100);
                errors.Required(path + ".dataset", metric.Dataset, 200);
                errors.Optional(path + ".slice", metric.Slice, 200);
                if (metric.Value is not { } value || !double.IsFinite(value))
                {
                    errors.Add(path + ".value", "Give the metric's value as a finite number.");
                }
                if (metric.Threshold is { } threshold && !double.IsFinite(threshold))
                {
                    errors.Add(path + ".threshold", "A threshold is a finite number.");
                }
                if (!seen.Add((metric.Name ?? "", metric.Dataset ?? "", Slice(metric.Slice))))
                {
                    errors.Add(path, "The same metric, dataset and slice appear twice.");
                }
            }
        }
        if (request.Card is { } card)
        {
            foreach (var problem in card.Validate())
            {
                errors.Add("card." + char.ToLowerInvariant(problem.Field[0]) + problem.Field[1..], problem.Message);
            }
        }
        return errors.ToDictionary();
    }

    public static string Slice(string? slice) => string.IsNullOrWhiteSpace(slice) ? "overall" : slice.Trim();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }
            list.Add(message);
        }

        public void Required(string field, string? value, int max)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, "This field is required.");
            }
            else if (!VisibleText.HasVisibleCharacter(value))
            {
                Add(field, "This field is required; it holds only invisible characters.");
            }
            else
            {
                Optional(field, value, max);
            }
        }

        public void Optional(string field, string? value, int max)
        {
            if (value is null)
            {
                return;
            }
            if (value.Length > max)
            {
                Add(field, string.Create(CultureInfo.InvariantCulture, $"At most {max} characters."));
            }
            // Control characters other than line breaks and tabs have no place in registry text.
            if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            {
                Add(field, "Remove control characters.");
            }
            if (VisibleText.HasBidiControl(value))
            {
                Add(field, "Remove bidirectional override and isolate characters (U+202A–U+202E, U+2066–U+2069); they make text read in another order than it is stored.");
            }
            else if (!string.IsNullOrWhiteSpace(value) && !VisibleText.HasVisibleCharacter(value))
            {
                Add(field, "Use visible characters or leave this empty; it holds only invisible characters.");
            }
        }

        public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }
}
