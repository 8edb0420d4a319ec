using GovernancePortal.Registry;
using YamlDotNet.Serialization;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class HuggingFaceModelCardTests
{
    private static readonly HuggingFaceCardOptions _options = new()
    {
        TaskType = "tabular-classification",
        Tags = ["credit", "governance"],
        Languages = ["en"],
    };

    private static (Dictionary<object, object> FrontMatter, string Body) Split(string markdown)
    {
        Assert.StartsWith("---\n", markdown);
        var end = markdown.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        Assert.True(end > 0, "The front matter is closed.");
        var yaml = markdown[4..(end + 1)];
        var frontMatter = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(yaml);
        Assert.Equal("\n\n", markdown.Substring(end + 4, 2));
        return (frontMatter, markdown[(end + 6)..]);
    }

    [Fact]
    public void The_front_matter_holds_licence_tags_languages_and_pipeline_tag()
    {
        var card = CardTestData.Complete() with { License = "Apache-2.0" };

        var (frontMatter, _) = Split(HuggingFaceModelCard.ToMarkdown(card, "credit-default", "1.4.0", CardTestData.Metrics(), _options));

        Assert.Equal("apache-2.0", frontMatter["license"]);
        Assert.Equal(["credit", "governance"], (List<object>)frontMatter["tags"]);
        Assert.Equal(["en"], (List<object>)frontMatter["language"]);
        Assert.Equal("tabular-classification", frontMatter["pipeline_tag"]);
    }

    [Fact]
    public void Metrics_go_into_the_model_index_grouped_by_dataset()
    {
        var metrics = CardTestData.Metrics().Append(new CardMetric("AUC", 0.85, "holdout-2025")).ToList();

        var (frontMatter, _) = Split(HuggingFaceModelCard.ToMarkdown(CardTestData.Complete(), "credit-default", "1.4.0", metrics, _options));

        var index = Assert.Single((List<object>)frontMatter["model-index"]);
        var model = (Dictionary<object, object>)index;
        Assert.Equal("credit-default", model["name"]);
        var results = ((List<object>)model["results"]).Cast<Dictionary<object, object>>().ToList();
        Assert.Equal(2, results.Count);
        var first = results[0];
        Assert.Equal("tabular-classification", ((Dictionary<object, object>)first["task"])["type"]);
        Assert.Equal("holdout-2024", ((Dictionary<object, object>)first["dataset"])["name"]);
        Assert.Equal("holdout-2024", ((Dictionary<object, object>)first["dataset"])["type"]);
        var values = ((List<object>)first["metrics"]).Cast<Dictionary<object, object>>().ToList();
        Assert.Equal(["auc", "recall", "false_positive_rate"], values.Select(v => v["type"]));
        Assert.Equal(["0.8731", "0.71", "0.043"], values.Select(v => v["value"]));
        Assert.Equal("Recall (partner channel)", values[1]["name"]);
    }

    [Fact]
    public void Without_a_task_there_is_no_model_index_or_pipeline_tag()
    {
        var markdown = HuggingFaceModelCard.ToMarkdown(CardTestData.Complete(), "m", "1.0.0", CardTestData.Metrics());

        var (frontMatter, body) = Split(markdown);

        Assert.Equal(["license"], frontMatter.Keys);
        Assert.Equal("other", frontMatter["license"]);
        Assert.Contains("| AUC | holdout-2024 | overall | 0.8731 |  |", body);
    }

    [Fact]
    public void An_empty_card_still_has_valid_front_matter_and_every_section()
    {
        var markdown = HuggingFaceModelCard.ToMarkdown(ModelCard.Empty, "m", "0.1.0", []);

        var (frontMatter, body) = Split(markdown);

        Assert.Empty(frontMatter);
        Assert.Contains("## Uses\n\n### Intended Users\n\n[More Information Needed]", body);
        Assert.EndsWith("## Model Card Contact\n\n[More Information Needed]\n", body);
    }

    [Fact]
    public void The_body_follows_the_hub_template_sections_in_order()
    {
        var body = Split(HuggingFaceModelCard.ToMarkdown(CardTestData.Complete(), "credit-default", "1.4.0", CardTestData.Metrics(), _options)).Body;

        string[] headings =
        [
            "# Model Card for credit-default", "## Model Details", "### Model Description", "## Uses", "### Direct Use",
            "### Out-of-Scope Use", "## Bias, Risks, and Limitations", "### Recommendations", "## Training Details",
            "### Training Data", "## Evaluation", "#### Testing Data", "#### Factors", "#### Metrics", "### Results",
            "## Model Card Contact",
        ];
        var lines = body.Split('\n');
        var positions = headings.Select(h => Array.IndexOf(lines, h)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void Card_content_lands_in_its_section()
    {
        var body = Split(HuggingFaceModelCard.ToMarkdown(CardTestData.Complete(), "credit-default", "1.4.0", CardTestData.Metrics(), _options)).Body;

        Assert.Contains("### Out-of-Scope Use\n\n- Mortgages and business loans\n", body);
        Assert.Contains("### Training Data\n\nApplications from 2019-2023", body);
        Assert.Contains("#### Testing Data\n\nA held-out sample of 2024", body);
        Assert.Contains("- **Risk:** Indirect discrimination by postcode\n  **Mitigation:** Postcode removed; regional parity monitored monthly.", body);
        Assert.Contains("- False positive rate (lower is better)", body);
        Assert.Contains("| Recall | holdout-2024 | partner channel | 0.71 | 0.5 |", body);
        Assert.Contains("- Jane Doe (Model owner): [jane.doe@example.org](mailto:jane.doe@example.org)", body);
        Assert.Contains("- **Version:** 1.4.0\n- **License:** proprietary", body);
    }

    [Theory]
    [InlineData("credit: default")]
    [InlineData("line one\nline two")]
    [InlineData("a\n---\nlicense: mit\nevil: true")]
    [InlineData("\"quoted\" and 'single' \\ backslash")]
    [InlineData("- list\n? key\n: value\n# comment\n&anchor *alias !tag %directive @at `tick`")]
    [InlineData("...")]
    [InlineData("\u0007bell and \u00e9 and \ud83d\ude00")]
    public void Hostile_names_cannot_break_the_front_matter(string name)
    {
        var options = _options with { Tags = [name, "ok"], Languages = [name] };

        var markdown = HuggingFaceModelCard.ToMarkdown(CardTestData.Complete(), name, "1.0.0", CardTestData.Metrics(), options);
        var (frontMatter, body) = Split(markdown);

        Assert.Equal(["license", "language", "tags", "pipeline_tag", "model-index"], frontMatter.Keys);
        Assert.Equal([name, "ok"], (List<object>)frontMatter["tags"]);
        var model = (Dictionary<object, object>)Assert.Single((List<object>)frontMatter["model-index"]);
        Assert.Equal(name, model["name"]);
        Assert.StartsWith("# Model Card for ", body);
    }

    [Fact]
    public void A_custom_licence_is_other_in_the_metadata_and_written_out_in_the_body()
    {
        var card = CardTestData.Complete() with { License = "Internal use only.\nNo redistribution." };

        var (frontMatter, body) = Split(HuggingFaceModelCard.ToMarkdown(card, "m", "1.0.0", [], _options));

        Assert.Equal("other", frontMatter["license"]);
        Assert.Contains("- **License:** see below\n\n### License\n\nInternal use only.\nNo redistribution.\n", body);
    }

    [Fact]
    public void Section_headings_are_pushed_below_the_template_headings()
    {
        var card = CardTestData.Complete() with
        {
            Overview = "# Summary\n\ntext",
            TrainingData = "# Sources\n\nSome\n\nDetails\n=======",
            EvaluationData = "## Split",
        };

        var body = Split(HuggingFaceModelCard.ToMarkdown(card, "m", "1.0.0", [], _options)).Body;

        Assert.Contains("\n### Summary\n", body);
        Assert.Contains("### Training Data\n\n#### Sources\n\nSome\n\n#### Details\n", body);
        Assert.Contains("#### Testing Data\n\n###### Split\n", body);
        Assert.Single(body.Split('\n'), l => l.StartsWith("# ", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_and_table_cells_are_escaped()
    {
        var card = ModelCard.Empty with { Contacts = [new ModelCardContact("<b>Eve</b> | *x*", "eve@example.org")] };
        var metrics = new[] { new CardMetric("F1 | macro", 0.5, "set_[a]") };

        var body = Split(HuggingFaceModelCard.ToMarkdown(card, "m", "1.0.0", metrics)).Body;

        Assert.Contains("| F1 \\| macro | set\\_\\[a\\] | overall | 0.5 |  |", body);
        Assert.Contains("- \\<b\\>Eve\\</b\\> \\| \\*x\\*: [eve@example.org](mailto:eve@example.org)", body);
    }

    [Fact]
    public void The_overall_slice_is_not_named_as_a_slice()
    {
        var metrics = new[] { new CardMetric("AUC", 0.9, "test", "overall") };

        var markdown = HuggingFaceModelCard.ToMarkdown(ModelCard.Empty, "m", "1.0.0", metrics, _options);

        Assert.Contains("name: \"AUC\"\n", markdown);
        Assert.Contains("| AUC | test | overall | 0.9 |  |", markdown);
    }

    [Fact]
    public void Metrics_that_are_not_finite_stay_out_of_the_model_index()
    {
        var metrics = new[] { new CardMetric("AUC", double.NaN, "test"), new CardMetric("Recall", 0.7, "test") };

        var (frontMatter, _) = Split(HuggingFaceModelCard.ToMarkdown(ModelCard.Empty, "m", "1.0.0", metrics, _options));

        var model = (Dictionary<object, object>)Assert.Single((List<object>)frontMatter["model-index"]);
        var result = (Dictionary<object, object>)Assert.Single((List<object>)model["results"]);
        Assert.Equal(["recall"], ((List<object>)result["metrics"]).Cast<Dictionary<object, object>>().Select(m => m["type"]));
    }
}
