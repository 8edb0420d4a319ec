using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed class ApplicabilityRuleTests
{
    private static ModelAttributes Model(RiskTier risk = RiskTier.Minimal, DataCategories data = DataCategories.None, bool eu = false, bool automated = false) =>
        new(risk, data, eu, automated);

    [Theory]
    [InlineData("always", "always")]
    [InlineData("data has PHI", "data has PHI")]
    [InlineData("DATA HAS phi", "data has PHI")]
    [InlineData("data has special-category", "data has special-category")]
    [InlineData("risk is high", "risk is High")]
    [InlineData("risk in [Limited, High]", "risk in [Limited, High]")]
    [InlineData("risk in [Limited]", "risk is Limited")]
    [InlineData("flag euDataSubjects", "flag euDataSubjects")]
    [InlineData("not flag automatedLegalEffect", "not flag automatedLegalEffect")]
    [InlineData("((data has personal))", "data has personal")]
    [InlineData("data has PHI or risk is High and flag euDataSubjects", "data has PHI or (risk is High and flag euDataSubjects)")]
    [InlineData("(data has PHI or risk is High) and flag euDataSubjects", "(data has PHI or risk is High) and flag euDataSubjects")]
    [InlineData("not data has PHI and risk is High", "not data has PHI and risk is High")]
    [InlineData("not (data has PHI and risk is High)", "not (data has PHI and risk is High)")]
    [InlineData("data has PHI\nor\tflag euDataSubjects", "data has PHI or flag euDataSubjects")]
    public void Valid_rules_parse_to_their_canonical_form(string text, string canonical)
    {
        var rule = ApplicabilityRule.Parse(text);
        Assert.Equal(canonical, rule.ToString());
        Assert.Equal(canonical, ApplicabilityRule.Parse(canonical).ToString());
    }

    [Fact]
    public void And_binds_tighter_than_or()
    {
        var rule = ApplicabilityRule.Parse("data has PHI or risk is High and flag euDataSubjects");
        Assert.True(rule.Evaluate(Model(data: DataCategories.ProtectedHealthInformation)));
        Assert.False(rule.Evaluate(Model(risk: RiskTier.High)));
        Assert.True(rule.Evaluate(Model(risk: RiskTier.High, eu: true)));
    }

    [Fact]
    public void Not_binds_tighter_than_and()
    {
        var rule = ApplicabilityRule.Parse("not data has PHI and risk is High");
        Assert.True(rule.Evaluate(Model(risk: RiskTier.High)));
        Assert.False(rule.Evaluate(Model(risk: RiskTier.Minimal)));
        Assert.False(rule.Evaluate(Model(risk: RiskTier.High, data: DataCategories.ProtectedHealthInformation)));
    }

    [Fact]
    public void Parentheses_override_precedence()
    {
        var rule = ApplicabilityRule.Parse("(data has PHI or risk is High) and flag euDataSubjects");
        Assert.False(rule.Evaluate(Model(data: DataCategories.ProtectedHealthInformation)));
        Assert.True(rule.Evaluate(Model(data: DataCategories.ProtectedHealthInformation, eu: true)));
    }

    [Fact]
    public void Data_categories_are_tested_one_by_one()
    {
        var rule = ApplicabilityRule.Parse("data has personal");
        Assert.True(rule.Evaluate(Model(data: DataCategories.PersonalData | DataCategories.ProtectedHealthInformation)));
        Assert.False(rule.Evaluate(Model(data: DataCategories.ProtectedHealthInformation)));
    }

    [Fact]
    public void Risk_in_matches_any_listed_tier()
    {
        var rule = ApplicabilityRule.Parse("risk in [Limited, High]");
        Assert.True(rule.Evaluate(Model(risk: RiskTier.Limited)));
        Assert.True(rule.Evaluate(Model(risk: RiskTier.High)));
        Assert.False(rule.Evaluate(Model(risk: RiskTier.Minimal)));
        Assert.False(rule.Evaluate(Model(risk: RiskTier.Prohibited)));
    }

    [Theory]
    [InlineData("", 1, "a condition")]
    [InlineData("   ", 4, "a condition")]
    [InlineData("data", 5, "'has' after 'data'")]
    [InlineData("data is PHI", 6, "'has' after 'data'")]
    [InlineData("data has health", 10, "a data category")]
    [InlineData("risk High", 6, "'is' or 'in' after 'risk'")]
    [InlineData("risk is Huge", 9, "a risk tier")]
    [InlineData("risk is 2", 9, "a risk tier")]
    [InlineData("risk in Limited", 9, "'[' after 'risk in'")]
    [InlineData("risk in []", 10, "a risk tier")]
    [InlineData("risk in [High,]", 15, "a risk tier")]
    [InlineData("risk in [High Limited]", 15, "',' or ']'")]
    [InlineData("risk in [High, High]", 16, "each risk tier once")]
    [InlineData("flag eu", 6, "a flag")]
    [InlineData("data has PHI and", 17, "a condition")]
    [InlineData("data has PHI or or risk is High", 17, "a condition")]
    [InlineData("data has PHI risk is High", 14, "'and', 'or' or the end of the rule")]
    [InlineData("(data has PHI", 14, "')'")]
    [InlineData("data has PHI)", 13, "'and', 'or' or the end of the rule")]
    [InlineData("data has PHI && risk is High", 14, "a word")]
    [InlineData("not", 4, "a condition")]
    [InlineData("model.Delete()", 6, "a word")]
    public void Invalid_rules_fail_with_position_and_what_was_expected(string text, int position, string expected)
    {
        var error = Assert.Throws<RuleParseException>(() => ApplicabilityRule.Parse(text));
        Assert.Equal(position, error.Position);
        Assert.StartsWith(expected, error.Expected, StringComparison.Ordinal);
        Assert.Contains($"at position {position}: expected {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_message_names_what_was_found()
    {
        var error = Assert.Throws<RuleParseException>(() => ApplicabilityRule.Parse("data has health"));
        Assert.Equal("Rule \"data has health\" at position 10: expected a data category (personal, special-category, PHI), found 'health'.", error.Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack()
    {
        var deep = string.Concat(Enumerable.Repeat("not ", 100)) + "always";
        var error = Assert.Throws<RuleParseException>(() => ApplicabilityRule.Parse(deep));
        Assert.Contains("levels of nesting", error.Expected, StringComparison.Ordinal);
        var parens = new string('(', 100) + "always" + new string(')', 100);
        Assert.Contains("levels of nesting", Assert.Throws<RuleParseException>(() => ApplicabilityRule.Parse(parens)).Expected, StringComparison.Ordinal);
        Assert.Equal("always", ApplicabilityRule.Parse(new string('(', 20) + "always" + new string(')', 20)).ToString());
    }

    [Fact]
    public void Overlong_rules_are_refused()
    {
        var text = string.Join(" or ", Enumerable.Repeat("data has PHI", 200));
        Assert.Throws<RuleParseException>(() => ApplicabilityRule.Parse(text));
    }

    [Fact]
    public void TryParse_reports_the_error_instead_of_throwing()
    {
        Assert.False(ApplicabilityRule.TryParse("risk is", out var rule, out var error));
        Assert.Null(rule);
        Assert.Contains("expected a risk tier", error, StringComparison.Ordinal);
        Assert.False(ApplicabilityRule.TryParse(null, out _, out _));
        Assert.True(ApplicabilityRule.TryParse("always", out rule, out error));
        Assert.NotNull(rule);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("data has PHI", "the model uses PHI")]
    [InlineData("data has personal or data has special-category or data has PHI", "the model uses personal data, special-category data or PHI")]
    [InlineData("risk is High", "the model is High risk")]
    [InlineData("risk in [Limited, High, Prohibited]", "the model's risk tier is Limited, High or Prohibited")]
    [InlineData("not risk in [Limited, High]", "the model's risk tier is neither Limited nor High")]
    [InlineData("not (data has personal or data has PHI)", "the model does not use personal data or PHI")]
    [InlineData("flag euDataSubjects and (data has personal or data has PHI)", "the model's data subjects include people in the EU and the model uses personal data or PHI")]
    [InlineData("flag automatedLegalEffect and (data has PHI or risk is High)",
        "the model makes solely automated decisions with legal or similarly significant effects and (the model uses PHI or the model is High risk)")]
    [InlineData("always", "it applies to every model")]
    public void Describe_renders_the_rule_readably(string text, string prose)
    {
        Assert.Equal(prose, ApplicabilityRule.Parse(text).Describe());
    }

    [Fact]
    public void Explain_names_only_the_conditions_that_decided()
    {
        var rule = ApplicabilityRule.Parse("flag euDataSubjects and (data has personal or data has special-category or data has PHI)");
        Assert.Equal("the model's data subjects include people in the EU and the model uses PHI",
            rule.Explain(Model(data: DataCategories.ProtectedHealthInformation, eu: true)));
        Assert.Equal("the model's data subjects do not include people in the EU",
            rule.Explain(Model(data: DataCategories.ProtectedHealthInformation)));
        Assert.Equal("the model does not use personal data, special-category data or PHI",
            rule.Explain(Model(eu: true)));
    }

    [Fact]
    public void Explain_of_a_risk_rule_names_the_actual_tier()
    {
        var rule = ApplicabilityRule.Parse("risk in [Limited, High, Prohibited]");
        Assert.Equal("the model is High risk", rule.Explain(Model(risk: RiskTier.High)));
        Assert.Equal("the model is Minimal risk", rule.Explain(Model(risk: RiskTier.Minimal)));
    }
}
