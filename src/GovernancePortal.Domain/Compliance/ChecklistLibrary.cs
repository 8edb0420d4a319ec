using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace GovernancePortal.Compliance;

/// <summary>Reads checklist templates from YAML (see db/checklists/README.md). Strict: unknown or duplicate keys are errors.</summary>
public static partial class ChecklistLibrary
{
    public const int MaxFileLength = 1_000_000;

    [GeneratedRegex(@"^[a-z0-9]+(?:-[a-z0-9]+)*\z")]
    private static partial Regex KebabCase();

    public static bool IsKebabCase(string? id) => id is not null && id.Length <= 128 && KebabCase().IsMatch(id);

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .Build();

    /// <summary>Parses and validates one template.</summary>
    public static ChecklistTemplate Load(string yaml, string source = "template")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (yaml.Length > MaxFileLength)
        {
            throw new ChecklistFormatException($"{source}: longer than {MaxFileLength} characters.");
        }
        TemplateDocument? document;
        try
        {
            document = Yaml.Deserialize<TemplateDocument?>(yaml);
        }
        catch (YamlException e)
        {
            // YamlDotNet's message for an unknown key names the property and type; the position is what a person needs.
            var detail = e.InnerException?.Message ?? e.Message;
            throw new ChecklistFormatException($"{source} line {e.Start.Line}, column {e.Start.Column}: {detail}", e);
        }
        if (document is null)
        {
            throw new ChecklistFormatException($"{source}: empty document.");
        }
        return Validate(document, source);
    }

    /// <summary>Every *.yaml file in the directory, ordered by file name; template and item ids must be unique across them.</summary>
    public static IReadOnlyList<ChecklistTemplate> LoadDirectory(string path)
    {
        var templates = Directory.EnumerateFiles(path, "*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(file => Load(File.ReadAllText(file), Path.GetFileName(file)))
            .ToList();
        CheckUnique(templates);
        return templates;
    }

    /// <summary>Template ids unique, and item ids unique across the whole library, since answers refer to them.</summary>
    public static void CheckUnique(IEnumerable<ChecklistTemplate> templates)
    {
        var templateIds = new HashSet<string>(StringComparer.Ordinal);
        var itemIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var template in templates)
        {
            if (!templateIds.Add(template.Id))
            {
                throw new ChecklistFormatException($"Template id '{template.Id}' is used twice.");
            }
            foreach (var item in template.Items)
            {
                if (!itemIds.TryAdd(item.Id, template.Id))
                {
                    throw new ChecklistFormatException($"Item id '{item.Id}' is used in '{itemIds[item.Id]}' and '{template.Id}'.");
                }
            }
        }
    }

    private static ChecklistTemplate Validate(TemplateDocument document, string source)
    {
        var id = Required(document.Id, source, "id");
        if (!IsKebabCase(id))
        {
            throw new ChecklistFormatException($"{source}: id '{id}' must be kebab-case (a-z, 0-9, single hyphens).");
        }
        var where = $"{source} ({id})";
        if (document.Version is not { } version || version < 1)
        {
            throw new ChecklistFormatException($"{where}: version must be a whole number of at least 1.");
        }
        var rule = Rule(Required(document.AppliesWhen, where, "appliesWhen"), where, "appliesWhen");
        var because = Required(document.AppliesBecause, where, "appliesBecause");
        if (document.Items is not { Count: > 0 } rawItems)
        {
            throw new ChecklistFormatException($"{where}: items must list at least one item.");
        }

        var items = new List<ChecklistItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rawItems.Count; i++)
        {
            var raw = rawItems[i] ?? throw new ChecklistFormatException($"{where}: item {i + 1} is empty.");
            var itemId = Required(raw.Id, $"{where} item {i + 1}", "id");
            var at = $"{where} item '{itemId}'";
            if (!IsKebabCase(itemId) || !itemId.StartsWith(id + "-", StringComparison.Ordinal))
            {
                throw new ChecklistFormatException($"{at}: id must be kebab-case and start with '{id}-'.");
            }
            if (!seen.Add(itemId))
            {
                throw new ChecklistFormatException($"{at}: id is used twice.");
            }
            items.Add(new ChecklistItem(
                itemId,
                Required(raw.Text, at, "text"),
                Required(raw.Guidance, at, "guidance"),
                Required(raw.Citation, at, "citation"),
                Evidence(Required(raw.Evidence, at, "evidence"), at),
                raw.AppliesWhen is null ? null : Rule(raw.AppliesWhen, at, "appliesWhen"),
                raw.Obligation is null ? null : ObligationOf(raw.Obligation, at)));
        }
        return new ChecklistTemplate(id, version, Required(document.Title, where, "title"), Required(document.Authority, where, "authority"),
            rule, because, items);
    }

    private static string Required(string? value, string where, string key) =>
        string.IsNullOrWhiteSpace(value) ? throw new ChecklistFormatException($"{where}: '{key}' is required.") : value.Trim();

    private static ApplicabilityRule Rule(string text, string where, string key)
    {
        try
        {
            return ApplicabilityRule.Parse(text);
        }
        catch (RuleParseException e)
        {
            throw new ChecklistFormatException($"{where}: {key}: {e.Message}", e);
        }
    }

    // Exact lowercase words: "File" or "yes" in a seed file is a typo, not a synonym.
    private static EvidenceKind Evidence(string value, string where) => value switch
    {
        "none" => EvidenceKind.None,
        "link" => EvidenceKind.Link,
        "file" => EvidenceKind.File,
        _ => throw new ChecklistFormatException($"{where}: evidence must be none, link or file, not '{value}'."),
    };

    private static Obligation ObligationOf(string value, string where) => value switch
    {
        "required" => Compliance.Obligation.Required,
        "addressable" => Compliance.Obligation.Addressable,
        _ => throw new ChecklistFormatException($"{where}: obligation must be required or addressable, not '{value}'."),
    };

    // Settable shapes for YamlDotNet only; the public records are built from them after validation.
    private sealed class TemplateDocument
    {
        public string? Id { get; set; }
        public int? Version { get; set; }
        public string? Title { get; set; }
        public string? Authority { get; set; }
        public string? AppliesWhen { get; set; }
        public string? AppliesBecause { get; set; }
        public List<ItemDocument?>? Items { get; set; }
    }

    private sealed class ItemDocument
    {
        public string? Id { get; set; }
        public string? Text { get; set; }
        public string? Guidance { get; set; }
        public string? Citation { get; set; }
        public string? Evidence { get; set; }
        public string? AppliesWhen { get; set; }
        public string? Obligation { get; set; }
    }
}
