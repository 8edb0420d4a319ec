using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

/// <summary>What applicability rules can ask about a model.</summary>
public sealed record ModelAttributes(RiskTier Risk, DataCategories Data, bool EuDataSubjects, bool AutomatedLegalEffect)
{
    /// <summary>The version asked about has a retirement plan (scheduled, retiring or retired): decommission checklists apply.</summary>
    public bool RetirementPlanned { get; init; }
}

public enum ModelFlag
{
    EuDataSubjects = 0,
    AutomatedLegalEffect = 1,
    RetirementPlanned = 2,
}

/// <summary>A rule text that does not parse: where, and what the parser wanted there.</summary>
public sealed class RuleParseException : FormatException
{
    public RuleParseException(string rule, int position, string expected, string found)
        : base($"Rule \"{rule}\" at position {position}: expected {expected}, found {found}.")
    {
        Rule = rule;
        Position = position;
        Expected = expected;
        Found = found;
    }

    public string Rule { get; }

    /// <summary>1-based character position of the offending token.</summary>
    public int Position { get; }

    public string Expected { get; }

    public string Found { get; }
}

/// <summary>
/// A tiny, side-effect-free expression over <see cref="ModelAttributes"/> deciding whether a checklist template or item
/// applies. Grammar (keywords and names are case-insensitive):
/// <code>
/// rule     := or END
/// or       := and ("or" and)*
/// and      := unary ("and" unary)*
/// unary    := "not" unary | primary
/// primary  := "(" or ")" | "always" | "data" "has" category | "risk" "is" tier
///           | "risk" "in" "[" tier ("," tier)* "]" | "flag" flag
/// category := "personal" | "special-category" | "PHI"
/// tier     := "Minimal" | "Limited" | "High" | "Prohibited"
/// flag     := "euDataSubjects" | "automatedLegalEffect" | "retirementPlanned"
/// </code>
/// </summary>
public abstract class ApplicabilityRule
{
    public const int MaxLength = 2000;
    public const int MaxDepth = 32;

    public static ApplicabilityRule Always { get; } = new AlwaysRule();

    private protected ApplicabilityRule()
    {
    }

    public static ApplicabilityRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(text).ParseRule();
    }

    public static bool TryParse(string? text, out ApplicabilityRule? rule, out string? error)
    {
        rule = null;
        error = null;
        if (text is null)
        {
            error = "A rule is required.";
            return false;
        }
        try
        {
            rule = Parse(text);
            return true;
        }
        catch (RuleParseException e)
        {
            error = e.Message;
            return false;
        }
    }

    public abstract bool Evaluate(ModelAttributes model);

    /// <summary>True only for the literal <c>always</c>, which needs no false case.</summary>
    public bool IsAlways => this is AlwaysRule;

    /// <summary>The whole rule in prose, e.g. "the model uses personal data, special-category data or PHI".</summary>
    public string Describe() => ToProse(negated: false).Render().Text;

    /// <summary>
    /// Why the rule holds or fails for this model, naming only the parts that decided it,
    /// e.g. "the model uses PHI" or "the model is Minimal risk".
    /// </summary>
    public string Explain(ModelAttributes model) => ToProse(negated: !Evaluate(model)).Why(model).Text;

    /// <summary>Canonical rule text: lowercase keywords, nested and/or in parentheses; parses back to the same rule.</summary>
    public abstract override string ToString();

    // Negation is pushed to the leaves (De Morgan) so prose never says "not (a and b)".
    internal abstract Prose ToProse(bool negated);

    private sealed class AlwaysRule : ApplicabilityRule
    {
        public override bool Evaluate(ModelAttributes model) => true;

        public override string ToString() => "always";

        internal override Prose ToProse(bool negated) => negated
            ? new ProseLeaf("it applies to no model", null, false, _ => false, null)
            : new ProseLeaf("it applies to every model", null, false, _ => true, null);
    }

    internal sealed class DataHasRule(DataCategories category) : ApplicabilityRule
    {
        public DataCategories Category { get; } = category;

        public override bool Evaluate(ModelAttributes model) => model.Data.HasFlag(Category);

        public override string ToString() => "data has " + Keyword(Category);

        internal override Prose ToProse(bool negated) => new ProseLeaf(
            negated ? "the model does not use" : "the model uses", Noun(Category), negated,
            m => Evaluate(m) != negated, null);

        internal static string Keyword(DataCategories category) => category switch
        {
            DataCategories.PersonalData => "personal",
            DataCategories.SpecialCategoryData => "special-category",
            _ => "PHI",
        };

        private static string Noun(DataCategories category) => category switch
        {
            DataCategories.PersonalData => "personal data",
            DataCategories.SpecialCategoryData => "special-category data",
            _ => "PHI",
        };
    }

    internal sealed class RiskInRule(IReadOnlyList<RiskTier> tiers) : ApplicabilityRule
    {
        public IReadOnlyList<RiskTier> Tiers { get; } = tiers;

        public override bool Evaluate(ModelAttributes model) => Tiers.Contains(model.Risk);

        public override string ToString() => Tiers.Count == 1 ? $"risk is {Tiers[0]}" : $"risk in [{string.Join(", ", Tiers)}]";

        internal override Prose ToProse(bool negated)
        {
            var text = (Tiers.Count, negated) switch
            {
                (1, false) => $"the model is {Tiers[0]} risk",
                (1, true) => $"the model is not {Tiers[0]} risk",
                (2, true) => $"the model's risk tier is neither {Tiers[0]} nor {Tiers[1]}",
                (_, false) => $"the model's risk tier is {List(Tiers.Select(t => t.ToString()).ToList(), "or")}",
                _ => $"the model's risk tier is not {List(Tiers.Select(t => t.ToString()).ToList(), "or")}",
            };
            // Whether it holds or not, the actual tier is the clearest reason.
            return new ProseLeaf(text, null, negated, m => Evaluate(m) != negated, m => $"the model is {m.Risk} risk");
        }
    }

    internal sealed class FlagRule(ModelFlag flag) : ApplicabilityRule
    {
        public ModelFlag Flag { get; } = flag;

        public override bool Evaluate(ModelAttributes model) => Flag switch
        {
            ModelFlag.EuDataSubjects => model.EuDataSubjects,
            ModelFlag.RetirementPlanned => model.RetirementPlanned,
            _ => model.AutomatedLegalEffect,
        };

        public override string ToString() => "flag " + Keyword(Flag);

        internal override Prose ToProse(bool negated)
        {
            var text = (Flag, negated) switch
            {
                (ModelFlag.EuDataSubjects, false) => "the model's data subjects include people in the EU",
                (ModelFlag.EuDataSubjects, true) => "the model's data subjects do not include people in the EU",
                (ModelFlag.RetirementPlanned, false) => "the version's retirement is planned",
                (ModelFlag.RetirementPlanned, true) => "the version's retirement is not planned",
                (_, false) => "the model makes solely automated decisions with legal or similarly significant effects",
                _ => "the model does not make solely automated decisions with legal or similarly significant effects",
            };
            return new ProseLeaf(text, null, negated, m => Evaluate(m) != negated, null);
        }

        internal static string Keyword(ModelFlag flag) => flag switch
        {
            ModelFlag.EuDataSubjects => "euDataSubjects",
            ModelFlag.RetirementPlanned => "retirementPlanned",
            _ => "automatedLegalEffect",
        };
    }

    internal sealed class NotRule(ApplicabilityRule operand) : ApplicabilityRule
    {
        public ApplicabilityRule Operand { get; } = operand;

        public override bool Evaluate(ModelAttributes model) => !Operand.Evaluate(model);

        public override string ToString() => Operand is AndRule or OrRule ? $"not ({Operand})" : $"not {Operand}";

        internal override Prose ToProse(bool negated) => Operand.ToProse(!negated);
    }

    internal sealed class AndRule(IReadOnlyList<ApplicabilityRule> operands) : ApplicabilityRule
    {
        public IReadOnlyList<ApplicabilityRule> Operands { get; } = operands;

        public override bool Evaluate(ModelAttributes model) => Operands.All(o => o.Evaluate(model));

        public override string ToString() => string.Join(" and ", Operands.Select(o => o is OrRule or AndRule ? $"({o})" : o.ToString()));

        internal override Prose ToProse(bool negated) =>
            new ProseGroup(all: !negated, Operands.Select(o => o.ToProse(negated)).ToList());
    }

    internal sealed class OrRule(IReadOnlyList<ApplicabilityRule> operands) : ApplicabilityRule
    {
        public IReadOnlyList<ApplicabilityRule> Operands { get; } = operands;

        public override bool Evaluate(ModelAttributes model) => Operands.Any(o => o.Evaluate(model));

        public override string ToString() => string.Join(" or ", Operands.Select(o => o is OrRule or AndRule ? $"({o})" : o.ToString()));

        internal override Prose ToProse(bool negated) =>
            new ProseGroup(all: negated, Operands.Select(o => o.ToProse(negated)).ToList());
    }

    internal static string List(IReadOnlyList<string> parts, string conjunction) => parts.Count == 1
        ? parts[0]
        : $"{string.Join(", ", parts.Take(parts.Count - 1))} {conjunction} {parts[^1]}";

    /// <summary>A rendered phrase; <see cref="Atomic"/> when it needs no parentheses inside a larger sentence.</summary>
    internal readonly record struct Phrase(string Text, bool Atomic);

    /// <summary>A rule in negation normal form, ready to be said in English.</summary>
    internal abstract class Prose
    {
        public abstract bool Holds(ModelAttributes model);

        public abstract Phrase Render();

        /// <summary>Only the parts that make this (true) prose hold for the model.</summary>
        public abstract Phrase Why(ModelAttributes model);
    }

    /// <summary>
    /// One condition. When <paramref name="noun"/> is set the leaf is "prefix noun", and leaves with the same prefix
    /// merge: "the model uses personal data or PHI".
    /// </summary>
    internal sealed class ProseLeaf(string prefix, string? noun, bool negative, Func<ModelAttributes, bool> holds, Func<ModelAttributes, string>? why) : Prose
    {
        public string Prefix { get; } = prefix;
        public string? Noun { get; } = noun;
        public bool Negative { get; } = negative;

        public override bool Holds(ModelAttributes model) => holds(model);

        public override Phrase Render() => new(Noun is null ? Prefix : $"{Prefix} {Noun}", true);

        public override Phrase Why(ModelAttributes model) => why is null ? Render() : new(why(model), true);
    }

    internal sealed class ProseGroup(bool all, IReadOnlyList<Prose> parts) : Prose
    {
        public override bool Holds(ModelAttributes model) => all ? parts.All(p => p.Holds(model)) : parts.Any(p => p.Holds(model));

        public override Phrase Render() => Join(parts, all ? "and" : "or", p => p.Render());

        // Every part of an "and" is a reason; of an "or", only those that hold (and then they all do, so "and").
        public override Phrase Why(ModelAttributes model) =>
            Join(all ? parts : parts.Where(p => p.Holds(model)).ToList(), "and", p => p.Why(model));

        private static Phrase Join(IReadOnlyList<Prose> items, string conjunction, Func<Prose, Phrase> render)
        {
            var phrases = new List<string>();
            var i = 0;
            while (i < items.Count)
            {
                if (items[i] is ProseLeaf { Noun: not null } leaf && Mergeable(leaf, conjunction))
                {
                    // "does not use A and does not use B" reads as "does not use A or B".
                    var nouns = new List<string> { leaf.Noun! };
                    var j = i + 1;
                    while (j < items.Count && items[j] is ProseLeaf { Noun: not null } next && next.Prefix == leaf.Prefix)
                    {
                        nouns.Add(next.Noun!);
                        j++;
                    }
                    phrases.Add($"{leaf.Prefix} {List(nouns, leaf.Negative ? "or" : conjunction)}");
                    i = j;
                    continue;
                }
                var phrase = render(items[i]);
                phrases.Add(phrase.Atomic || items.Count == 1 ? phrase.Text : $"({phrase.Text})");
                i++;
            }
            return phrases.Count == 1
                ? new Phrase(phrases[0], true)
                : new Phrase(string.Join($" {conjunction} ", phrases), false);
        }

        private static bool Mergeable(ProseLeaf leaf, string conjunction) => !leaf.Negative || conjunction == "and";
    }

    private sealed class Parser(string text)
    {
        private enum Kind
        {
            Word,
            LeftParen,
            RightParen,
            LeftBracket,
            RightBracket,
            Comma,
            End,
        }

        private readonly record struct Token(Kind Kind, string Text, int Position);

        private readonly List<Token> tokens = [];
        private int next;
        private int depth;

        public ApplicabilityRule ParseRule()
        {
            if (text.Length > MaxLength)
            {
                throw Error(1, $"a rule of at most {MaxLength} characters", $"{text.Length} characters");
            }
            Tokenize();
            if (Peek.Kind == Kind.End)
            {
                throw Expected("a condition (always, data, risk, flag, not or '(')");
            }
            var rule = ParseOr();
            if (Peek.Kind != Kind.End)
            {
                throw Expected("'and', 'or' or the end of the rule");
            }
            return rule;
        }

        private Token Peek => tokens[next];

        private ApplicabilityRule ParseOr()
        {
            var operands = new List<ApplicabilityRule> { ParseAnd() };
            while (IsWord("or"))
            {
                next++;
                operands.Add(ParseAnd());
            }
            return operands.Count == 1 ? operands[0] : new OrRule(operands);
        }

        private ApplicabilityRule ParseAnd()
        {
            var operands = new List<ApplicabilityRule> { ParseUnary() };
            while (IsWord("and"))
            {
                next++;
                operands.Add(ParseUnary());
            }
            return operands.Count == 1 ? operands[0] : new AndRule(operands);
        }

        private ApplicabilityRule ParseUnary()
        {
            // A depth bound keeps hostile input from exhausting the stack.
            if (++depth > MaxDepth)
            {
                throw Expected($"at most {MaxDepth} levels of nesting");
            }
            try
            {
                if (IsWord("not"))
                {
                    next++;
                    return new NotRule(ParseUnary());
                }
                return ParsePrimary();
            }
            finally
            {
                depth--;
            }
        }

        private ApplicabilityRule ParsePrimary()
        {
            var token = Peek;
            if (token.Kind == Kind.LeftParen)
            {
                next++;
                var inner = ParseOr();
                Take(Kind.RightParen, "')'");
                return inner;
            }
            if (token.Kind != Kind.Word)
            {
                throw Expected("a condition (always, data, risk, flag, not or '(')");
            }
            switch (token.Text.ToLowerInvariant())
            {
                case "always":
                    next++;
                    return Always;
                case "data":
                    next++;
                    TakeWord("has", "'has' after 'data'");
                    return new DataHasRule(Category());
                case "risk":
                    next++;
                    if (IsWord("is"))
                    {
                        next++;
                        return new RiskInRule([Tier()]);
                    }
                    if (IsWord("in"))
                    {
                        next++;
                        return new RiskInRule(TierList());
                    }
                    throw Expected("'is' or 'in' after 'risk'");
                case "flag":
                    next++;
                    return new FlagRule(Flag());
                default:
                    throw Expected("a condition (always, data, risk, flag, not or '(')");
            }
        }

        private List<RiskTier> TierList()
        {
            Take(Kind.LeftBracket, "'[' after 'risk in'");
            var tiers = new List<RiskTier>();
            while (true)
            {
                var position = Peek.Position;
                var tier = Tier();
                if (tiers.Contains(tier))
                {
                    throw Error(position, "each risk tier once", $"'{tier}' again");
                }
                tiers.Add(tier);
                if (Peek.Kind == Kind.Comma)
                {
                    next++;
                    continue;
                }
                Take(Kind.RightBracket, "',' or ']'");
                return tiers;
            }
        }

        private DataCategories Category()
        {
            var word = Peek.Kind == Kind.Word ? Peek.Text.ToLowerInvariant() : null;
            DataCategories? category = word switch
            {
                "personal" => DataCategories.PersonalData,
                "special-category" => DataCategories.SpecialCategoryData,
                "phi" => DataCategories.ProtectedHealthInformation,
                _ => null,
            };
            if (category is null)
            {
                throw Expected("a data category (personal, special-category, PHI)");
            }
            next++;
            return category.Value;
        }

        private RiskTier Tier()
        {
            // Names only: Enum.TryParse would also take "2" or "High,Limited".
            var word = Peek.Kind == Kind.Word ? Peek.Text : null;
            var tier = Enum.GetValues<RiskTier>().Cast<RiskTier?>()
                .FirstOrDefault(t => string.Equals(t.ToString(), word, StringComparison.OrdinalIgnoreCase));
            if (tier is null)
            {
                throw Expected($"a risk tier ({string.Join(", ", Enum.GetNames<RiskTier>())})");
            }
            next++;
            return tier.Value;
        }

        private ModelFlag Flag()
        {
            var word = Peek.Kind == Kind.Word ? Peek.Text : null;
            var flag = Enum.GetValues<ModelFlag>().Cast<ModelFlag?>()
                .FirstOrDefault(f => string.Equals(FlagRule.Keyword(f!.Value), word, StringComparison.OrdinalIgnoreCase));
            if (flag is null)
            {
                throw Expected("a flag (euDataSubjects, automatedLegalEffect, retirementPlanned)");
            }
            next++;
            return flag.Value;
        }

        private bool IsWord(string word) => Peek.Kind == Kind.Word && string.Equals(Peek.Text, word, StringComparison.OrdinalIgnoreCase);

        private void TakeWord(string word, string expected)
        {
            if (!IsWord(word))
            {
                throw Expected(expected);
            }
            next++;
        }

        private void Take(Kind kind, string expected)
        {
            if (Peek.Kind != kind)
            {
                throw Expected(expected);
            }
            next++;
        }

        private RuleParseException Expected(string expected) => Error(Peek.Position, expected, Describe(Peek));

        private RuleParseException Error(int position, string expected, string found) => new(text, position, expected, found);

        private static string Describe(Token token) => token.Kind == Kind.End ? "the end of the rule" : $"'{token.Text}'";

        private void Tokenize()
        {
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (c is ' ' or '\t' or '\r' or '\n')
                {
                    i++;
                    continue;
                }
                var kind = c switch
                {
                    '(' => Kind.LeftParen,
                    ')' => Kind.RightParen,
                    '[' => Kind.LeftBracket,
                    ']' => Kind.RightBracket,
                    ',' => Kind.Comma,
                    _ => Kind.Word,
                };
                if (kind != Kind.Word)
                {
                    tokens.Add(new Token(kind, c.ToString(), i + 1));
                    i++;
                    continue;
                }
                if (!char.IsAsciiLetterOrDigit(c))
                {
                    throw Error(i + 1, "a word, '(', ')', '[', ']' or ','", $"'{c}'");
                }
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '-'))
                {
                    i++;
                }
                tokens.Add(new Token(Kind.Word, text[start..i], start + 1));
            }
            tokens.Add(new Token(Kind.End, "", text.Length + 1));
        }
    }
}
