using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class ModelCardCompletenessTests
{
    [Fact]
    public void The_weights_add_up_to_100_and_cover_every_section()
    {
        Assert.Equal(100, ModelCardCompleteness.Weights.Values.Sum());
        Assert.Equal(Enum.GetValues<ModelCardSection>(), ModelCardCompleteness.Weights.Keys);
    }

    [Fact]
    public void An_empty_card_scores_zero_and_misses_everything_in_card_order()
    {
        var (score, missing) = ModelCardCompleteness.Score(ModelCard.Empty, metricCount: 0);

        Assert.Equal(0, score);
        Assert.Equal(
        [
            "Overview", "Intended use", "Out-of-scope uses", "Intended users", "Factors", "Training data", "Evaluation data",
            "Quantitative analysis: at least one metric or a commentary on the results", "Fairness and bias analysis",
            "Limitations", "At least one ethical risk with its mitigation", "Caveats and recommendations",
            "At least one contact with an email address", "Licence",
        ], missing);
    }

    [Fact]
    public void A_complete_card_scores_100_with_nothing_missing()
    {
        var result = ModelCardCompleteness.Score(CardTestData.Complete(), metricCount: 3);

        Assert.Equal(100, result.Score);
        Assert.Empty(result.Missing);
        Assert.Empty(result.MissingSections);
    }

    public static TheoryData<ModelCardSection, int, string> Sections() => new()
    {
        { ModelCardSection.Overview, 8, "Overview" },
        { ModelCardSection.IntendedUse, 12, "Intended use" },
        { ModelCardSection.OutOfScopeUses, 10, "Out-of-scope uses" },
        { ModelCardSection.Users, 5, "Intended users" },
        { ModelCardSection.Factors, 5, "Factors" },
        { ModelCardSection.TrainingData, 10, "Training data" },
        { ModelCardSection.EvaluationData, 10, "Evaluation data" },
        { ModelCardSection.FairnessAnalysis, 7, "Fairness and bias analysis" },
        { ModelCardSection.Limitations, 10, "Limitations" },
        { ModelCardSection.CaveatsAndRecommendations, 4, "Caveats and recommendations" },
        { ModelCardSection.License, 2, "Licence" },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void A_missing_section_costs_exactly_its_weight(ModelCardSection section, int weight, string name)
    {
        var card = CardTestData.Complete().WithText(section, "");

        var result = ModelCardCompleteness.Score(card, metricCount: 3);

        Assert.Equal(100 - weight, result.Score);
        Assert.Equal([name], result.Missing);
        Assert.Equal([section], result.MissingSections);
    }

    [Theory]
    [InlineData(0, "", false)]
    [InlineData(1, "", true)]
    [InlineData(0, "AUC is stable across all regions we checked.", true)]
    [InlineData(0, "TBD", false)]
    public void Quantitative_analysis_counts_with_a_metric_or_a_commentary(int metrics, string commentary, bool present)
    {
        var card = CardTestData.Complete() with { QuantitativeAnalysis = commentary };

        var result = ModelCardCompleteness.Score(card, metrics);

        Assert.Equal(present ? 100 : 92, result.Score);
    }

    [Fact]
    public void A_risk_without_a_mitigation_does_not_count()
    {
        var card = CardTestData.Complete() with
        {
            EthicalConsiderations = [new EthicalConsideration("Indirect discrimination by postcode", "")],
        };

        var result = ModelCardCompleteness.Score(card, 3);

        Assert.Equal(93, result.Score);
        Assert.Equal(["At least one ethical risk with its mitigation"], result.Missing);
    }

    [Fact]
    public void A_contact_without_an_email_address_does_not_count()
    {
        var card = CardTestData.Complete() with { Contacts = [new ModelCardContact("Jane Doe", null, "Owner")] };

        Assert.Equal(98, ModelCardCompleteness.Score(card, 3).Score);
    }

    [Theory]
    [InlineData("MIT", true)]
    [InlineData("proprietary", true)]
    [InlineData("TBD", false)]
    [InlineData("n/a", false)]
    [InlineData("-", false)]
    public void A_short_licence_identifier_counts(string license, bool present)
    {
        var card = CardTestData.Complete() with { License = license };

        Assert.Equal(present ? 100 : 98, ModelCardCompleteness.Score(card, 3).Score);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("                          ", false)]
    [InlineData("Too short text.", false)]
    [InlineData("TBD", false)]
    [InlineData("n/a", false)]
    [InlineData("N/A N/A N/A N/A N/A N/A N/A N/A", false)]
    [InlineData("todo todo todo todo todo todo todo", false)]
    [InlineData("TODO: describe the training data in detail", false)]
    [InlineData("**TBD** - waiting for the data team to answer", false)]
    [InlineData("To be determined after the pilot in three branches", false)]
    [InlineData("Lorem ipsum dolor sit amet, consectetur", false)]
    [InlineData("None. Unknown. Not applicable. None.", false)]
    [InlineData("Applications from 2019 to 2023, pseudonymised.", true)]
    [InlineData("Not for mortgages or business lending.", true)]
    [InlineData("None known after two audits of the model.", true)]
    [InlineData("* Credit officers\n* Branch managers", true)]
    public void Only_meaningful_text_counts(string? text, bool meaningful)
    {
        Assert.Equal(meaningful, ModelCardCompleteness.IsMeaningful(text));
    }

    [Fact]
    public void Whitespace_does_not_count_towards_the_minimum_length()
    {
        Assert.False(ModelCardCompleteness.IsMeaningful("a b c d e f g h i j k l m n o p q r s"));
        Assert.True(ModelCardCompleteness.IsMeaningful("abcdefghij klmnopqrst"));
    }

    [Fact]
    public void The_score_is_deterministic()
    {
        var card = CardTestData.Complete() with { Factors = "", License = "TBD" };

        var first = ModelCardCompleteness.Score(card, 0);
        var second = ModelCardCompleteness.Score(card, 0);

        Assert.Equal(first.Score, second.Score);
        Assert.Equal(first.Missing, second.Missing);
        Assert.Equal(93, first.Score);
    }
}
