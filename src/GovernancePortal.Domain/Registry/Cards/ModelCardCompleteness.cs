using System.Collections.Immutable;

namespace GovernancePortal.Registry;

/// <summary>How complete a card is: a score out of 100 and what is still missing, in card order.</summary>
public sealed record CardCompleteness(int Score, IReadOnlyList<string> Missing, IReadOnlyList<ModelCardSection> MissingSections)
{
    public void Deconstruct(out int score, out IReadOnlyList<string> missing)
    {
        score = Score;
        missing = Missing;
    }
}

/// <summary>
/// Scores a card by weighted sections. The weights add up to 100; a section earns its whole weight or nothing.
/// The sections a reviewer needs to judge whether a use is safe weigh most: intended use (12), out-of-scope uses,
/// limitations, training data and evaluation data (10 each); then overview and quantitative analysis (8),
/// fairness analysis and ethical considerations (7), users and factors (5), caveats (4), contacts and licence (2).
/// </summary>
public static class ModelCardCompleteness
{
    /// <summary>Non-whitespace characters a free-text section needs before it counts as written.</summary>
    public const int MinimumCharacters = 20;

    /// <summary>Non-whitespace characters a risk or a mitigation needs; they are often short phrases.</summary>
    public const int MinimumPairCharacters = 8;

    private sealed record Rule(ModelCardSection Section, int Weight, string Missing);

    private static readonly Rule[] _rules =
    [
        new(ModelCardSection.Overview, 8, "Overview"),
        new(ModelCardSection.IntendedUse, 12, "Intended use"),
        new(ModelCardSection.OutOfScopeUses, 10, "Out-of-scope uses"),
        new(ModelCardSection.Users, 5, "Intended users"),
        new(ModelCardSection.Factors, 5, "Factors"),
        new(ModelCardSection.TrainingData, 10, "Training data"),
        new(ModelCardSection.EvaluationData, 10, "Evaluation data"),
        new(ModelCardSection.QuantitativeAnalysis, 8, "Quantitative analysis: at least one metric or a commentary on the results"),
        new(ModelCardSection.FairnessAnalysis, 7, "Fairness and bias analysis"),
        new(ModelCardSection.Limitations, 10, "Limitations"),
        new(ModelCardSection.EthicalConsiderations, 7, "At least one ethical risk with its mitigation"),
        new(ModelCardSection.CaveatsAndRecommendations, 4, "Caveats and recommendations"),
        new(ModelCardSection.Contacts, 2, "At least one contact with an email address"),
        new(ModelCardSection.License, 2, "Licence"),
    ];

    /// <summary>The weight of each section; they add up to 100.</summary>
    public static IReadOnlyDictionary<ModelCardSection, int> Weights { get; } =
        _rules.ToImmutableSortedDictionary(r => r.Section, r => r.Weight);

    public static CardCompleteness Score(ModelCard card, int metricCount)
    {
        ArgumentNullException.ThrowIfNull(card);
        var score = 0;
        var missing = new List<string>();
        var sections = new List<ModelCardSection>();
        foreach (var rule in _rules)
        {
            if (IsPresent(card, rule.Section, metricCount))
            {
                score += rule.Weight;
            }
            else
            {
                missing.Add(rule.Missing);
                sections.Add(rule.Section);
            }
        }
        return new CardCompleteness(score, missing, sections);
    }

    private static bool IsPresent(ModelCard card, ModelCardSection section, int metricCount) => section switch
    {
        ModelCardSection.QuantitativeAnalysis => metricCount > 0 || IsMeaningful(card.QuantitativeAnalysis),
        ModelCardSection.EthicalConsiderations => card.EthicalConsiderations.Any(p =>
            IsMeaningful(p.Risk, MinimumPairCharacters) && IsMeaningful(p.Mitigation, MinimumPairCharacters)),
        ModelCardSection.Contacts => card.Contacts.Any(c =>
            !string.IsNullOrWhiteSpace(c.Name) && ModelCardLimits.IsEmail(c.Email)),
        // "MIT" is a whole licence.
        ModelCardSection.License => IsMeaningful(card.License, 2),
        _ => IsMeaningful(card.GetText(section)),
    };

    /// <summary>
    /// Whether a text says something: enough non-whitespace characters, and not a placeholder such as
    /// "TBD", "n/a" or "TODO: describe the data".
    /// </summary>
    public static bool IsMeaningful(string? text, int minimumCharacters = MinimumCharacters)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var characters = 0;
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                characters++;
            }
        }
        if (characters < minimumCharacters)
        {
            return false;
        }
        var words = Words(text);
        if (words.Count == 0)
        {
            return false;
        }
        // A text that opens with a placeholder marker is a note to self, whatever follows it.
        if (_openingMarkers.Any(marker => StartsWithWords(words, marker)))
        {
            return false;
        }
        // A text made only of fillers ("n/a n/a", "none. unknown.") says nothing either.
        return !words.All(w => _fillers.Contains(w));
    }

    private static readonly string[][] _openingMarkers =
    [
        ["tbd"], ["tba"], ["tbc"], ["todo"], ["to", "do"], ["fixme"], ["xxx"], ["placeholder"], ["lorem", "ipsum"],
        ["coming", "soon"], ["to", "be", "determined"], ["to", "be", "confirmed"], ["to", "be", "completed"],
        ["to", "be", "added"], ["to", "be", "written"], ["to", "be", "defined"],
    ];

    private static readonly HashSet<string> _fillers = new(StringComparer.Ordinal)
    {
        "tbd", "tba", "tbc", "todo", "fixme", "xxx", "n/a", "na", "none", "nil", "null", "unknown", "placeholder",
        "not", "applicable", "lorem", "ipsum", "test", "testing", "asdf", "etc",
    };

    private static bool StartsWithWords(List<string> words, string[] marker) =>
        words.Count >= marker.Length && marker.Select((m, i) => words[i] == m).All(same => same);

    // Lower-case words, with Markdown decoration and punctuation at their edges removed; "n/a" stays one word.
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        foreach (var raw in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var word = raw.Trim('*', '_', '`', '~', '#', '>', '-', '.', ',', ':', ';', '!', '?', '(', ')', '[', ']', '"', '\'')
                .ToLowerInvariant();
            if (word.Length > 0)
            {
                words.Add(word);
            }
        }
        return words;
    }
}
