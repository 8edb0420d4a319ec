using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GovernancePortal.Registry;

/// <summary>What the Hugging Face metadata needs that a card does not hold.</summary>
public sealed record HuggingFaceCardOptions
{
    /// <summary>
    /// A Hub task id such as "tabular-classification". The Hub requires one for every result in model-index, so
    /// without it the metrics appear only in the body, and pipeline_tag is left out.
    /// </summary>
    public string? TaskType { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>ISO 639-1 codes of the languages the model handles, if it handles text.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];
}

/// <summary>
/// Exports a card as a Hugging Face model card: YAML front matter (licence, tags, languages, pipeline tag and a
/// model-index of the metrics) followed by the sections of the Hub's model card template. Every YAML string is
/// double-quoted by YamlDotNet's emitter, so no value can end the front matter or add keys. Section Markdown is
/// embedded with its headings pushed below the section heading that holds it.
/// </summary>
public static partial class HuggingFaceModelCard
{
    private const string NotProvided = "[More Information Needed]";

    public static string ToMarkdown(
        ModelCard card,
        string modelName,
        string version,
        IEnumerable<CardMetric> metrics,
        HuggingFaceCardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new HuggingFaceCardOptions();
        var metricList = metrics.ToList();

        var markdown = new StringBuilder();
        markdown.Append("---\n").Append(FrontMatter(card, modelName, metricList, options)).Append("---\n\n");
        markdown.Append("# Model Card for ").Append(MarkdownSource.EscapeInline(modelName)).Append("\n\n");
        // Below the template's own h2 sections, so the summary cannot start a section of its own.
        Body(markdown, 2, card.Overview);

        Heading(markdown, 2, "Model Details");
        Heading(markdown, 3, "Model Description");
        markdown.Append("- **Version:** ").Append(MarkdownSource.EscapeInline(version)).Append('\n');
        markdown.Append("- **License:** ").Append(LicenseLine(card.License)).Append("\n\n");
        if (card.License.Length > 0 && !IsLicenseId(card.License))
        {
            Heading(markdown, 3, "License");
            Body(markdown, 3, card.License);
        }

        Heading(markdown, 2, "Uses");
        Heading(markdown, 3, "Intended Users");
        Body(markdown, 3, card.Users);
        Heading(markdown, 3, "Direct Use");
        Body(markdown, 3, card.IntendedUse);
        Heading(markdown, 3, "Out-of-Scope Use");
        Body(markdown, 3, card.OutOfScopeUses);

        Heading(markdown, 2, "Bias, Risks, and Limitations");
        Body(markdown, 2, card.Limitations);
        Heading(markdown, 3, "Fairness and Bias Analysis");
        Body(markdown, 3, card.FairnessAnalysis);
        Heading(markdown, 3, "Ethical Considerations");
        Risks(markdown, card);
        Heading(markdown, 3, "Recommendations");
        Body(markdown, 3, card.CaveatsAndRecommendations);

        Heading(markdown, 2, "Training Details");
        Heading(markdown, 3, "Training Data");
        Body(markdown, 3, card.TrainingData);

        Heading(markdown, 2, "Evaluation");
        Heading(markdown, 3, "Testing Data, Factors & Metrics");
        Heading(markdown, 4, "Testing Data");
        Body(markdown, 4, card.EvaluationData);
        Heading(markdown, 4, "Factors");
        Body(markdown, 4, card.Factors);
        Heading(markdown, 4, "Metrics");
        MetricNames(markdown, metricList);
        Heading(markdown, 3, "Results");
        Results(markdown, metricList);
        Heading(markdown, 4, "Summary");
        Body(markdown, 4, card.QuantitativeAnalysis);

        Heading(markdown, 2, "Model Card Contact");
        Contacts(markdown, card);
        return markdown.ToString().TrimEnd('\n') + "\n";
    }

    private static string FrontMatter(ModelCard card, string modelName, List<CardMetric> metrics, HuggingFaceCardOptions options)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        // A wide line keeps YamlDotNet from folding long strings over several lines.
        var yaml = new Emitter(writer, 2, 100_000);
        yaml.Emit(new StreamStart());
        yaml.Emit(new DocumentStart(null, null, true));
        yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));

        var license = card.License.Trim();
        if (license.Length > 0)
        {
            Key(yaml, "license");
            Text(yaml, IsLicenseId(license) && !license.Equals("proprietary", StringComparison.OrdinalIgnoreCase)
                ? license.ToLowerInvariant()
                : "other");
        }
        if (options.Languages.Count > 0)
        {
            Key(yaml, "language");
            List(yaml, options.Languages);
        }
        if (options.Tags.Count > 0)
        {
            Key(yaml, "tags");
            List(yaml, options.Tags);
        }
        var task = options.TaskType?.Trim();
        if (!string.IsNullOrEmpty(task))
        {
            Key(yaml, "pipeline_tag");
            Text(yaml, task);
            var results = metrics.Where(m => double.IsFinite(m.Value)).ToList();
            if (results.Count > 0)
            {
                Key(yaml, "model-index");
                ModelIndex(yaml, modelName, task, results);
            }
        }

        yaml.Emit(new MappingEnd());
        yaml.Emit(new DocumentEnd(true));
        yaml.Emit(new StreamEnd());
        return writer.ToString();
    }

    // The Hub's layout: one result per dataset, each with its task, dataset and metrics.
    private static void ModelIndex(Emitter yaml, string modelName, string task, List<CardMetric> metrics)
    {
        yaml.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
        yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        Key(yaml, "name");
        Text(yaml, modelName);
        Key(yaml, "results");
        yaml.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
        foreach (var group in metrics.GroupBy(m => DatasetName(m)))
        {
            yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            Key(yaml, "task");
            yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            Key(yaml, "type");
            Text(yaml, task);
            yaml.Emit(new MappingEnd());
            Key(yaml, "dataset");
            yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            Key(yaml, "name");
            Text(yaml, group.Key);
            Key(yaml, "type");
            Text(yaml, group.Key);
            yaml.Emit(new MappingEnd());
            Key(yaml, "metrics");
            yaml.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
            foreach (var metric in group)
            {
                yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                Key(yaml, "type");
                Text(yaml, MetricId(metric.Name));
                Key(yaml, "value");
                yaml.Emit(new Scalar(AnchorName.Empty, TagName.Empty,
                    metric.Value.ToString("R", CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
                Key(yaml, "name");
                Text(yaml, metric.IsSliced ? $"{metric.Name} ({metric.Slice!.Trim()})" : metric.Name);
                yaml.Emit(new MappingEnd());
            }
            yaml.Emit(new SequenceEnd());
            yaml.Emit(new MappingEnd());
        }
        yaml.Emit(new SequenceEnd());
        yaml.Emit(new MappingEnd());
        yaml.Emit(new SequenceEnd());
    }

    private static void Key(Emitter yaml, string key) =>
        yaml.Emit(new Scalar(AnchorName.Empty, TagName.Empty, key, ScalarStyle.Plain, true, false));

    // Double quotes escape line breaks, quotes and control characters, so a value stays one YAML scalar.
    private static void Text(Emitter yaml, string value) =>
        yaml.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.DoubleQuoted, false, true));

    private static void List(Emitter yaml, IEnumerable<string> values)
    {
        yaml.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
        foreach (var value in values)
        {
            Text(yaml, value);
        }
        yaml.Emit(new SequenceEnd());
    }

    private static void Heading(StringBuilder markdown, int level, string title) =>
        markdown.Append('#', level).Append(' ').Append(title).Append("\n\n");

    private static void Body(StringBuilder markdown, int sectionLevel, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            markdown.Append(NotProvided).Append("\n\n");
            return;
        }
        var body = MarkdownSource.DemoteHeadings(text.Replace("\r\n", "\n", StringComparison.Ordinal), Math.Min(6, sectionLevel + 1));
        markdown.Append(body.Trim('\n')).Append("\n\n");
    }

    private static void Risks(StringBuilder markdown, ModelCard card)
    {
        if (card.EthicalConsiderations.IsEmpty)
        {
            markdown.Append(NotProvided).Append("\n\n");
            return;
        }
        foreach (var pair in card.EthicalConsiderations)
        {
            markdown.Append("- **Risk:** ").Append(MarkdownSource.EscapeInline(pair.Risk)).Append('\n');
            markdown.Append("  **Mitigation:** ")
                .Append(string.IsNullOrWhiteSpace(pair.Mitigation) ? "None recorded." : MarkdownSource.EscapeInline(pair.Mitigation))
                .Append('\n');
        }
        markdown.Append('\n');
    }

    private static void MetricNames(StringBuilder markdown, List<CardMetric> metrics)
    {
        if (metrics.Count == 0)
        {
            markdown.Append(NotProvided).Append("\n\n");
            return;
        }
        foreach (var group in metrics.GroupBy(m => m.Name.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            markdown.Append("- ").Append(MarkdownSource.EscapeInline(group.Key))
                .Append(group.First().HigherIsBetter ? " (higher is better)" : " (lower is better)").Append('\n');
        }
        markdown.Append('\n');
    }

    private static void Results(StringBuilder markdown, List<CardMetric> metrics)
    {
        if (metrics.Count == 0)
        {
            markdown.Append(NotProvided).Append("\n\n");
            return;
        }
        markdown.Append("| Metric | Dataset | Slice | Value | Threshold |\n");
        markdown.Append("|---|---|---|---:|---:|\n");
        foreach (var metric in metrics)
        {
            markdown.Append("| ").Append(MarkdownSource.EscapeInline(metric.Name))
                .Append(" | ").Append(MarkdownSource.EscapeInline(metric.Dataset))
                .Append(" | ").Append(metric.IsSliced ? MarkdownSource.EscapeInline(metric.Slice) : "overall")
                .Append(" | ").Append(Number(metric.Value))
                .Append(" | ").Append(metric.Threshold is { } threshold ? Number(threshold) : "")
                .Append(" |\n");
        }
        markdown.Append('\n');
    }

    private static void Contacts(StringBuilder markdown, ModelCard card)
    {
        if (card.Contacts.IsEmpty)
        {
            markdown.Append(NotProvided).Append('\n');
            return;
        }
        foreach (var contact in card.Contacts)
        {
            markdown.Append("- ").Append(MarkdownSource.EscapeInline(contact.Name));
            if (contact.Role is { } role)
            {
                markdown.Append(" (").Append(MarkdownSource.EscapeInline(role)).Append(')');
            }
            if (contact.Email is { } email)
            {
                markdown.Append(": ");
                if (ModelCardLimits.IsEmail(email))
                {
                    markdown.Append('[').Append(MarkdownSource.EscapeInline(email)).Append("](mailto:").Append(email).Append(')');
                }
                else
                {
                    markdown.Append(MarkdownSource.EscapeInline(email));
                }
            }
            markdown.Append('\n');
        }
    }

    private static string LicenseLine(string license) =>
        license.Trim().Length == 0 ? NotProvided
        : IsLicenseId(license.Trim()) ? MarkdownSource.EscapeInline(license.Trim())
        : "see below";

    private static string DatasetName(CardMetric metric) =>
        string.IsNullOrWhiteSpace(metric.Dataset) ? "evaluation data" : metric.Dataset.Trim();

    // Hub metric ids are lower-case words joined by underscores ("roc_auc").
    private static string MetricId(string name)
    {
        var id = NonIdCharacters().Replace(name.Trim().ToLowerInvariant(), "_").Trim('_');
        return id.Length == 0 ? "metric" : id;
    }

    private static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("G6", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    private static bool IsLicenseId(string license) => ModelCardLimits.IsLicenseIdentifier(license.Trim());

    [GeneratedRegex(@"[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonIdCharacters();
}
