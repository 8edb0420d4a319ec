using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace GovernancePortal.Registry;

/// <summary>
/// The outcome of reading a Model Card Toolkit file. <see cref="Card"/> is null when <see cref="Errors"/> is not
/// empty. <see cref="Warnings"/> name what the file held that the card has no place for (graphics, references,
/// performance metrics, unknown fields), so the person importing knows what was left behind.
/// </summary>
public sealed record ModelCardImport(
    ModelCard? Card,
    string? ModelName,
    string? Version,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    public bool Succeeded => Card is not null;
}

/// <summary>
/// Export to and import from the JSON of the Model Card Toolkit (schema v0.0.2).
/// <para>
/// MCT has no field for several sections of this card, so they travel as labelled entries of the nearest MCT list,
/// which its own guide allows ("you may include out-of-scope applications in [use_cases]"):
/// </para>
/// <list type="table">
/// <item><term>Overview</term><description>model_details.overview (on import, documentation, model_architecture,
/// input_format and output_format are appended to it)</description></item>
/// <item><term>Intended use / Out-of-scope uses</term><description>considerations.use_cases; out-of-scope uses as
/// one entry labelled "Out of scope: ". Unlabelled use cases are intended uses.</description></item>
/// <item><term>Users</term><description>considerations.users</description></item>
/// <item><term>Limitations / Factors</term><description>considerations.limitations; factors as an entry labelled
/// "Factors: ", since MCT asks its limitations for "the factors that might degrade model performance".</description></item>
/// <item><term>Caveats and recommendations / Fairness analysis</term><description>considerations.tradeoffs;
/// the fairness analysis as an entry labelled "Fairness analysis: ". Unlabelled tradeoffs are caveats.</description></item>
/// <item><term>Training / Evaluation data</term><description>model_parameters.data entries named "training" and
/// "evaluation" with the text as description. On import "train" and "eval", "test", "validation" are recognised
/// too; a dataset with another name is added to the training data, with a warning.</description></item>
/// <item><term>Quantitative analysis</term><description>the commentary is quantitative_analysis.graphics.description
/// (the only free text MCT has there); the metrics are performance_metrics, exported only (the numbers of a
/// version come from its evaluation runs, so imported metrics are reported and not kept).</description></item>
/// <item><term>Ethical considerations</term><description>considerations.ethical_considerations, risk as name and
/// mitigation as mitigation_strategy</description></item>
/// <item><term>Contacts</term><description>model_details.owners: name, and contact as "email (role)"</description></item>
/// <item><term>Licence</term><description>model_details.licenses: identifier when it is a single SPDX-style
/// token, custom_text otherwise</description></item>
/// </list>
/// <para>
/// A section whose own text starts with one of the labels gets its own label on export ("Intended use: ..."),
/// so reading back an export always gives the same card.
/// </para>
/// </summary>
public static partial class ModelCardToolkitJson
{
    public const string SchemaVersion = "0.0.2";

    /// <summary>The largest file read, in characters; a full card is well under a third of it.</summary>
    public const int MaxInputLength = 1_000_000;

    private const string TrainingDatasetName = "training";
    private const string EvaluationDatasetName = "evaluation";

    private sealed record Label(string Text, ModelCardSection Section);

    private sealed record LabelledList(ModelCardSection Unlabelled, ImmutableArray<Label> Labels);

    // The first label of a section is the one written; the others are read too.
    private static readonly LabelledList _useCases = new(ModelCardSection.IntendedUse,
    [
        new("Intended use", ModelCardSection.IntendedUse),
        new("Out of scope", ModelCardSection.OutOfScopeUses),
        new("Out-of-scope", ModelCardSection.OutOfScopeUses),
        new("Out-of-scope use", ModelCardSection.OutOfScopeUses),
    ]);

    private static readonly LabelledList _limitations = new(ModelCardSection.Limitations,
    [
        new("Limitations", ModelCardSection.Limitations),
        new("Factors", ModelCardSection.Factors),
    ]);

    private static readonly LabelledList _tradeoffs = new(ModelCardSection.CaveatsAndRecommendations,
    [
        new("Caveats and recommendations", ModelCardSection.CaveatsAndRecommendations),
        new("Fairness analysis", ModelCardSection.FairnessAnalysis),
        new("Fairness and bias analysis", ModelCardSection.FairnessAnalysis),
    ]);

    private static readonly HashSet<string> _trainingNames = new(StringComparer.OrdinalIgnoreCase)
    {
        TrainingDatasetName, "train", "training data", "training set",
    };

    private static readonly HashSet<string> _evaluationNames = new(StringComparer.OrdinalIgnoreCase)
    {
        EvaluationDatasetName, "eval", "evaluation data", "evaluation set", "test", "testing", "test set", "validation",
    };

    private static readonly string[] _rootFields =
        ["schema_version", "model_details", "model_parameters", "quantitative_analysis", "considerations"];

    private static readonly JsonSerializerOptions _options = new(JsonSerializerOptions.Strict)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        MaxDepth = 32,
        WriteIndented = true,
        IndentSize = 2,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Readable accents and scripts; <, >, & and quotes stay escaped in case the file is shown in a page.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    private static readonly JsonDocumentOptions _documentOptions = new()
    {
        MaxDepth = 32,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    public static string Export(
        ModelCard card,
        string modelName,
        string version,
        IEnumerable<CardMetric> metrics,
        DateOnly? versionDate = null,
        string? versionChanges = null)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(metrics);
        var performance = metrics.Select(m => new MctPerformanceMetric
        {
            Type = m.Name,
            Value = m.Value.ToString("R", CultureInfo.InvariantCulture),
            Threshold = m.Threshold?.ToString("R", CultureInfo.InvariantCulture),
            Slice = SliceName(m),
        }).ToList();

        var document = new MctModelCard
        {
            SchemaVersion = SchemaVersion,
            ModelDetails = new MctModelDetails
            {
                Name = modelName,
                Overview = NullIfEmpty(card.Overview),
                Owners = NullIfEmpty(card.Contacts.Select(c => new MctOwner { Name = c.Name, Contact = ContactText(c) })),
                Version = new MctVersion
                {
                    Name = version,
                    Date = versionDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Diff = NullIfEmpty(versionChanges),
                },
                Licenses = card.License.Length == 0 ? null : [LicenseOf(card.License)],
            },
            ModelParameters = NullIfEmpty(Datasets(card)) is { } data ? new MctModelParameters { Data = data } : null,
            QuantitativeAnalysis = performance.Count == 0 && card.QuantitativeAnalysis.Length == 0
                ? null
                : new MctQuantitativeAnalysis
                {
                    PerformanceMetrics = NullIfEmpty(performance),
                    Graphics = card.QuantitativeAnalysis.Length == 0
                        ? null
                        : new MctGraphicsCollection { Description = card.QuantitativeAnalysis },
                },
            Considerations = Considerations(card),
        };
        return JsonSerializer.Serialize(document, _options);
    }

    /// <summary>Reads a Model Card Toolkit file. Never throws for bad input: problems come back as errors.</summary>
    public static ModelCardImport Import(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Failed("The file is empty.");
        }
        if (json.Length > MaxInputLength)
        {
            return Failed(string.Create(CultureInfo.InvariantCulture,
                $"The file is too large to be a model card ({json.Length:N0} characters; at most {MaxInputLength:N0} are read)."));
        }

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json, _documentOptions);
        }
        catch (JsonException e)
        {
            return Failed(e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"The file gives the same field twice in one object{Line(e)}."
                : $"The file is not valid JSON{Line(e)}.");
        }

        using (parsed)
        {
            var root = parsed.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Failed($"A model card file holds a JSON object; this one holds {Describe(root.ValueKind)}.");
            }
            var errors = new List<string>();
            var warnings = new List<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (!_rootFields.Contains(property.Name, StringComparer.Ordinal))
                {
                    errors.Add($"The file has an unknown top-level field \"{Shorten(property.Name)}\"; a v{SchemaVersion} model card has only {string.Join(", ", _rootFields)}.");
                }
            }
            if (root.TryGetProperty("schema_version", out var schemaVersion))
            {
                if (schemaVersion.ValueKind != JsonValueKind.String)
                {
                    errors.Add($"schema_version must be text such as \"{SchemaVersion}\".");
                }
                else if (schemaVersion.GetString() != SchemaVersion)
                {
                    errors.Add($"The file uses schema_version \"{Shorten(schemaVersion.GetString() ?? "")}\"; only {SchemaVersion} can be read.");
                }
            }
            else
            {
                warnings.Add($"The file does not give its schema_version; it was read as {SchemaVersion}.");
            }
            if (errors.Count > 0)
            {
                return new ModelCardImport(null, null, null, errors, warnings);
            }

            MctModelCard? document;
            try
            {
                document = root.Deserialize<MctModelCard>(_options);
            }
            catch (JsonException e)
            {
                return Failed($"The field {Where(e.Path)} does not have the type the schema gives it{Line(e)}.");
            }
            if (document is null)
            {
                return Failed("The file holds no model card.");
            }

            var card = ToCard(document, warnings);
            var invalid = card.Validate();
            if (invalid.Count > 0)
            {
                return new ModelCardImport(null, document.ModelDetails?.Name, document.ModelDetails?.Version?.Name,
                    [.. invalid.Select(e => e.Message)], warnings);
            }
            return new ModelCardImport(card, document.ModelDetails?.Name, document.ModelDetails?.Version?.Name, [], warnings);
        }
    }

    private static ModelCard ToCard(MctModelCard document, List<string> warnings)
    {
        var texts = new Dictionary<ModelCardSection, List<string>>();
        void Add(ModelCardSection section, string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }
            if (!texts.TryGetValue(section, out var list))
            {
                texts[section] = list = [];
            }
            list.Add(text);
        }

        var details = document.ModelDetails;
        var contacts = new List<ModelCardContact>();
        var licenses = new List<string>();
        if (details is not null)
        {
            Ignored(details, "model_details", warnings);
            Add(ModelCardSection.Overview, details.Overview);
            Add(ModelCardSection.Overview, details.Documentation);
            foreach (var owner in Present(details.Owners))
            {
                Ignored(owner, "model_details.owners[]", warnings);
                if (ContactOf(owner, warnings) is { } contact)
                {
                    contacts.Add(contact);
                }
            }
            foreach (var license in Present(details.Licenses))
            {
                Ignored(license, "model_details.licenses[]", warnings);
                var text = !string.IsNullOrEmpty(license.Identifier) ? license.Identifier : license.CustomText;
                if (!string.IsNullOrEmpty(text))
                {
                    licenses.Add(text);
                }
            }
            if (licenses.Count > 1)
            {
                warnings.Add($"The file lists {licenses.Count} licences; the card's licence lists them one per line.");
            }
            NotKept(warnings, Present(details.References).Count(), "reference");
            NotKept(warnings, Present(details.Citations).Count(), "citation");
            if (!string.IsNullOrEmpty(details.Path))
            {
                warnings.Add("The model's path was not imported.");
            }
        }

        var parameters = document.ModelParameters;
        if (parameters is not null)
        {
            Ignored(parameters, "model_parameters", warnings);
            if (!string.IsNullOrEmpty(parameters.ModelArchitecture))
            {
                Add(ModelCardSection.Overview, "Model architecture: " + parameters.ModelArchitecture);
            }
            if (!string.IsNullOrEmpty(parameters.InputFormat))
            {
                Add(ModelCardSection.Overview, "Input format: " + parameters.InputFormat);
            }
            if (!string.IsNullOrEmpty(parameters.OutputFormat))
            {
                Add(ModelCardSection.Overview, "Output format: " + parameters.OutputFormat);
            }
            if (Present(parameters.InputFormatMap).Any() || Present(parameters.OutputFormatMap).Any())
            {
                warnings.Add("The input and output format maps were not imported.");
            }
            foreach (var dataset in Present(parameters.Data))
            {
                Ignored(dataset, "model_parameters.data[]", warnings);
                var (section, text) = DatasetText(dataset, warnings);
                Add(section, text);
            }
        }

        var analysis = document.QuantitativeAnalysis;
        if (analysis is not null)
        {
            Ignored(analysis, "quantitative_analysis", warnings);
            var metrics = Present(analysis.PerformanceMetrics).Count();
            if (metrics > 0)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{metrics} performance metric{(metrics == 1 ? " was" : "s were")} not imported; a version's metrics come from its evaluation runs."));
            }
            Add(ModelCardSection.QuantitativeAnalysis, analysis.Graphics?.Description);
            NotKept(warnings, Present(analysis.Graphics?.Collection).Count(), "performance graphic");
        }

        var considerations = document.Considerations;
        var risks = new List<EthicalConsideration>();
        if (considerations is not null)
        {
            Ignored(considerations, "considerations", warnings);
            foreach (var user in Present(considerations.Users))
            {
                Add(ModelCardSection.Users, user.Description);
            }
            foreach (var (section, text) in Unlabel(_useCases, considerations.UseCases))
            {
                Add(section, text);
            }
            foreach (var (section, text) in Unlabel(_limitations, considerations.Limitations))
            {
                Add(section, text);
            }
            foreach (var (section, text) in Unlabel(_tradeoffs, considerations.Tradeoffs))
            {
                Add(section, text);
            }
            foreach (var risk in Present(considerations.EthicalConsiderations))
            {
                Ignored(risk, "considerations.ethical_considerations[]", warnings);
                if (!string.IsNullOrEmpty(risk.Name) || !string.IsNullOrEmpty(risk.MitigationStrategy))
                {
                    risks.Add(new EthicalConsideration(risk.Name ?? "", risk.MitigationStrategy ?? ""));
                }
            }
        }

        var card = ModelCard.Empty with
        {
            EthicalConsiderations = [.. risks],
            Contacts = [.. contacts],
            License = string.Join('\n', licenses),
        };
        foreach (var (section, list) in texts)
        {
            card = card.WithText(section, string.Join("\n\n", list));
        }
        return card;
    }

    private static (ModelCardSection Section, string? Text) DatasetText(MctDataset dataset, List<string> warnings)
    {
        var name = dataset.Name?.Trim() ?? "";
        var parts = new List<string>();
        ModelCardSection section;
        if (_trainingNames.Contains(name))
        {
            section = ModelCardSection.TrainingData;
        }
        else if (_evaluationNames.Contains(name))
        {
            section = ModelCardSection.EvaluationData;
        }
        else
        {
            section = ModelCardSection.TrainingData;
            warnings.Add($"The dataset \"{Shorten(name.Length == 0 ? "(unnamed)" : name)}\" is neither training nor evaluation data; it was added to the training data. Move it if it belongs elsewhere.");
            parts.Add(name.Length == 0 ? "Dataset:" : $"Dataset \"{name}\":");
        }
        if (!string.IsNullOrEmpty(dataset.Description))
        {
            parts.Add(dataset.Description);
        }
        if (!string.IsNullOrEmpty(dataset.Link))
        {
            parts.Add("Source: " + dataset.Link);
        }
        var sensitive = Present(dataset.Sensitive?.SensitiveData).Where(s => s.Length > 0).ToList();
        if (sensitive.Count > 0)
        {
            parts.Add("Sensitive data: " + string.Join(", ", sensitive));
        }
        NotKept(warnings, Present(dataset.Graphics?.Collection).Count(), "dataset graphic");
        // Our own export holds only the description, which comes back exactly as it was.
        return (section, parts.Count == 0 ? null : string.Join("\n\n", parts));
    }

    private static IEnumerable<(ModelCardSection Section, string Text)> Unlabel(LabelledList list, List<MctDescription?>? entries)
    {
        foreach (var entry in Present(entries))
        {
            var text = entry.Description;
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }
            var label = MatchingLabel(list, text);
            if (label is null)
            {
                yield return (list.Unlabelled, text);
                continue;
            }
            var rest = text[(label.Text.Length + 1)..];
            yield return (label.Section, rest.StartsWith(' ') ? rest[1..] : rest);
        }
    }

    private static Label? MatchingLabel(LabelledList list, string text) =>
        list.Labels
            .Where(l => text.StartsWith(l.Text + ":", StringComparison.OrdinalIgnoreCase))
            .MaxBy(l => l.Text.Length);

    private static List<MctDescription?>? Labelled(ModelCard card, LabelledList list)
    {
        var entries = new List<MctDescription>();
        foreach (var section in list.Labels.Select(l => l.Section).Distinct())
        {
            var text = card.GetText(section);
            if (text.Length == 0)
            {
                continue;
            }
            var written = section == list.Unlabelled && MatchingLabel(list, text) is null
                ? text
                : list.Labels.First(l => l.Section == section).Text + ": " + text;
            entries.Add(new MctDescription { Description = written });
        }
        return NullIfEmpty(entries);
    }

    private static MctConsiderations? Considerations(ModelCard card)
    {
        var considerations = new MctConsiderations
        {
            Users = card.Users.Length == 0 ? null : [new MctDescription { Description = card.Users }],
            UseCases = Labelled(card, _useCases),
            Limitations = Labelled(card, _limitations),
            Tradeoffs = Labelled(card, _tradeoffs),
            EthicalConsiderations = NullIfEmpty(card.EthicalConsiderations.Select(p =>
                new MctRisk { Name = p.Risk, MitigationStrategy = p.Mitigation })),
        };
        return considerations is { Users: null, UseCases: null, Limitations: null, Tradeoffs: null, EthicalConsiderations: null }
            ? null
            : considerations;
    }

    private static List<MctDataset> Datasets(ModelCard card)
    {
        var data = new List<MctDataset>();
        if (card.TrainingData.Length > 0)
        {
            data.Add(new MctDataset { Name = TrainingDatasetName, Description = card.TrainingData });
        }
        if (card.EvaluationData.Length > 0)
        {
            data.Add(new MctDataset { Name = EvaluationDatasetName, Description = card.EvaluationData });
        }
        return data;
    }

    private static MctLicense? LicenseOf(string license) =>
        ModelCardLimits.IsLicenseIdentifier(license)
            ? new MctLicense { Identifier = license }
            : new MctLicense { CustomText = license };

    /// <summary>"email (role)", "email" or "(role)": an address has no spaces or brackets, so it reads back.</summary>
    private static string? ContactText(ModelCardContact contact) => (contact.Email, contact.Role) switch
    {
        (null, null) => null,
        ({ } email, null) => email,
        (null, { } role) => $"({role})",
        ({ } email, { } role) => $"{email} ({role})",
    };

    private static ModelCardContact? ContactOf(MctOwner owner, List<string> warnings)
    {
        var name = owner.Name ?? "";
        var contact = owner.Contact?.Trim() ?? "";
        string? email = null, role = null;
        if (contact.Length > 0)
        {
            var match = ContactPattern().Match(contact);
            var candidate = match.Success ? match.Groups["email"].Value : "";
            if (match.Success && (candidate.Length == 0 || ModelCardLimits.IsEmail(candidate)))
            {
                email = candidate.Length == 0 ? null : candidate;
                role = match.Groups["role"].Success ? match.Groups["role"].Value : null;
            }
            else
            {
                warnings.Add($"The contact \"{Shorten(contact)}\" of {(name.Length == 0 ? "an owner" : $"\"{Shorten(name)}\"")} is not an email address and was not imported.");
            }
        }
        if (string.IsNullOrWhiteSpace(name))
        {
            if (email is null)
            {
                if (contact.Length > 0 || role is not null)
                {
                    warnings.Add("An owner without a name or email address was not imported.");
                }
                return null;
            }
            name = email;
        }
        return new ModelCardContact(name, email, role);
    }

    private static string? SliceName(CardMetric metric)
    {
        var dataset = metric.Dataset?.Trim() ?? "";
        var slice = metric.IsSliced ? metric.Slice!.Trim() : "";
        return (dataset.Length, slice.Length) switch
        {
            (0, 0) => null,
            (_, 0) => dataset,
            (0, _) => slice,
            _ => $"{dataset} / {slice}",
        };
    }

    private static void Ignored(MctObject value, string path, List<string> warnings)
    {
        if (value.Other is { Count: > 0 } other)
        {
            warnings.Add($"Unknown field{(other.Count == 1 ? "" : "s")} ignored: {string.Join(", ", other.Keys.Order(StringComparer.Ordinal).Select(k => $"{path}.{Shorten(k)}"))}.");
        }
    }

    private static void NotKept(List<string> warnings, int count, string what)
    {
        if (count > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{count} {what}{(count == 1 ? " was" : "s were")} not imported; the card has no place for {(count == 1 ? "it" : "them")}."));
        }
    }

    private static IEnumerable<T> Present<T>(IEnumerable<T?>? items) where T : class =>
        items?.OfType<T>() ?? [];

    private static List<T?>? NullIfEmpty<T>(IEnumerable<T> items) where T : class
    {
        var list = items.ToList<T?>();
        return list.Count == 0 ? null : list;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static ModelCardImport Failed(string error) => new(null, null, null, [error], []);

    private static string Where(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "at the top level" : $"\"{Shorten(path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path)}\"";

    private static string Line(JsonException e) =>
        e.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1})")
            : "";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    [GeneratedRegex(@"^(?<email>[^\s()]*)\s*(?:\((?<role>.*)\))?\z", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex ContactPattern();
}
