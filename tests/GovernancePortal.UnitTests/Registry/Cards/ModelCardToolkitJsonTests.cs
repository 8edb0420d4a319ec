using System.Text;
using System.Text.Json;
using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class ModelCardToolkitJsonTests
{
    private static string Export(ModelCard card) =>
        ModelCardToolkitJson.Export(card, "credit-default", "1.4.0", CardTestData.Metrics(), new DateOnly(2025, 3, 1), "Recalibrated.");

    [Fact]
    public void Export_uses_the_v0_0_2_field_names()
    {
        using var json = JsonDocument.Parse(Export(CardTestData.Complete()));
        var root = json.RootElement;

        Assert.Equal(["schema_version", "model_details", "model_parameters", "quantitative_analysis", "considerations"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("0.0.2", root.GetProperty("schema_version").GetString());

        var details = root.GetProperty("model_details");
        Assert.Equal("credit-default", details.GetProperty("name").GetString());
        Assert.StartsWith("Scores incoming loan applications", details.GetProperty("overview").GetString());
        Assert.Equal("1.4.0", details.GetProperty("version").GetProperty("name").GetString());
        Assert.Equal("2025-03-01", details.GetProperty("version").GetProperty("date").GetString());
        Assert.Equal("Recalibrated.", details.GetProperty("version").GetProperty("diff").GetString());
        var owner = details.GetProperty("owners")[0];
        Assert.Equal("Jane Doe", owner.GetProperty("name").GetString());
        Assert.Equal("jane.doe@example.org (Model owner)", owner.GetProperty("contact").GetString());
        Assert.Equal("proprietary", details.GetProperty("licenses")[0].GetProperty("identifier").GetString());

        var data = root.GetProperty("model_parameters").GetProperty("data");
        Assert.Equal(["training", "evaluation"], data.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.StartsWith("Applications from 2019-2023", data[0].GetProperty("description").GetString());

        var analysis = root.GetProperty("quantitative_analysis");
        var recall = analysis.GetProperty("performance_metrics")[1];
        Assert.Equal("Recall", recall.GetProperty("type").GetString());
        Assert.Equal("0.71", recall.GetProperty("value").GetString());
        Assert.Equal("0.5", recall.GetProperty("threshold").GetString());
        Assert.Equal("holdout-2024 / partner channel", recall.GetProperty("slice").GetString());
        Assert.StartsWith("AUC is stable", analysis.GetProperty("graphics").GetProperty("description").GetString());

        var considerations = root.GetProperty("considerations");
        Assert.Equal(["users", "use_cases", "limitations", "tradeoffs", "ethical_considerations"],
            considerations.EnumerateObject().Select(p => p.Name));
        var useCases = considerations.GetProperty("use_cases").EnumerateArray().Select(u => u.GetProperty("description").GetString()).ToList();
        Assert.StartsWith("Advice to a credit officer", useCases[0]);
        Assert.StartsWith("Out of scope: - Mortgages", useCases[1]);
        var limitations = considerations.GetProperty("limitations").EnumerateArray().Select(u => u.GetProperty("description").GetString()).ToList();
        Assert.StartsWith("Unreliable for applicants", limitations[0]);
        Assert.StartsWith("Factors: Age band", limitations[1]);
        var tradeoffs = considerations.GetProperty("tradeoffs").EnumerateArray().Select(u => u.GetProperty("description").GetString()).ToList();
        Assert.StartsWith("Retrain yearly", tradeoffs[0]);
        Assert.StartsWith("Fairness analysis: Approval-rate", tradeoffs[1]);
        var risk = considerations.GetProperty("ethical_considerations")[0];
        Assert.Equal("Indirect discrimination by postcode", risk.GetProperty("name").GetString());
        Assert.Equal("Postcode removed; regional parity monitored monthly.", risk.GetProperty("mitigation_strategy").GetString());
    }

    [Theory]
    [InlineData("test", null, "test")]
    [InlineData("test", "overall", "test")]
    [InlineData("test", " Overall ", "test")]
    [InlineData("test", "age 60+", "test / age 60+")]
    [InlineData("", "age 60+", "age 60+")]
    [InlineData("", "overall", null)]
    public void A_metric_slice_names_its_dataset_and_slice(string dataset, string? slice, string? expected)
    {
        var json = ModelCardToolkitJson.Export(ModelCard.Empty, "m", "1.0.0", [new CardMetric("AUC", 0.9, dataset, slice)]);

        using var document = JsonDocument.Parse(json);
        var metric = document.RootElement.GetProperty("quantitative_analysis").GetProperty("performance_metrics")[0];
        Assert.Equal(expected, metric.TryGetProperty("slice", out var value) ? value.GetString() : null);
    }

    [Fact]
    public void An_empty_card_exports_only_the_model_name_and_version()
    {
        var json = ModelCardToolkitJson.Export(ModelCard.Empty, "m", "0.1.0", []);

        using var document = JsonDocument.Parse(json);
        Assert.Equal("{\"schema_version\":\"0.0.2\",\"model_details\":{\"name\":\"m\",\"version\":{\"name\":\"0.1.0\"}}}",
            JsonSerializer.Serialize(document.RootElement));
    }

    public static TheoryData<string, ModelCard> RoundTripCards() => new()
    {
        { "complete", CardTestData.Complete() },
        { "empty", ModelCard.Empty },
        { "only out-of-scope uses", ModelCard.Empty with { OutOfScopeUses = "Never for mortgages." } },
        { "intended use that starts like a label", ModelCard.Empty with { IntendedUse = "Out of scope: nothing, it is a joke.", OutOfScopeUses = "Intended use: also a label" } },
        { "limitations that start like a label", ModelCard.Empty with { Limitations = "factors: lower case", Factors = "Factors: twice" } },
        { "caveats that start like a label", ModelCard.Empty with { CaveatsAndRecommendations = "Fairness analysis: not this", FairnessAnalysis = " leading space" } },
        { "whitespace-only text", ModelCard.Empty with { Users = "   ", TrainingData = "\n" } },
        { "custom licence text", ModelCard.Empty with { License = "Internal use only.\nNo redistribution." } },
        { "SPDX licence", ModelCard.Empty with { License = "Apache-2.0" } },
        { "contacts of every shape", ModelCard.Empty with
            {
                Contacts =
                [
                    new ModelCardContact("Only a name"),
                    new ModelCardContact("Email only", "e@example.org"),
                    new ModelCardContact("Role only", null, "Reviewer (external)"),
                    new ModelCardContact("Team (EU)", "eu@example.org", "Owner"),
                ],
            }
        },
        { "risk without mitigation", ModelCard.Empty with { EthicalConsiderations = [new EthicalConsideration("Unmitigated", "")] } },
        { "markdown and unicode", ModelCard.Empty with { Overview = "# Über\n\n| a | b |\n|---|---|\n| <x> | \"q\" & 'r' |\n\n😀" } },
    };

    [Theory]
    [MemberData(nameof(RoundTripCards))]
    public void Reading_an_export_gives_back_the_same_card(string because, ModelCard card)
    {
        var result = ModelCardToolkitJson.Import(Export(card));

        Assert.True(result.Succeeded, because + ": " + string.Join(" ", result.Errors));
        Assert.Equal(card, result.Card);
        Assert.Equal("credit-default", result.ModelName);
        Assert.Equal("1.4.0", result.Version);
    }

    [Fact]
    public void The_export_escapes_markup_but_keeps_accents_readable()
    {
        var json = Export(ModelCard.Empty with { Overview = "Zoë <script>" });

        Assert.Contains("Zoë", json);
        Assert.DoesNotContain("<script>", json);
    }

    // In the shape of the toolkit's own example (cats vs dogs), with fields the portal does not keep.
    private const string HandWritten = """
        {
          "schema_version": "0.0.2",
          "model_details": {
            "name": "Fine-tuned MobileNetV2 Model for Cats vs. Dogs",
            "overview": "This model distinguishes cat and dog images.",
            "documentation": "It was trained on a subset of the cats vs dogs dataset.",
            "owners": [
              {"name": "Model Cards Team", "contact": "model-cards@google.com"},
              {"name": "Feedback", "contact": "https://forms.example.org/feedback"}
            ],
            "version": {"name": "v1.0", "date": "2020-08-14", "diff": "First release"},
            "licenses": [{"identifier": "Apache-2.0"}],
            "references": [{"reference": "https://www.tensorflow.org/guide/keras/transfer_learning"}],
            "citations": [{"style": "bibtex", "citation": "@misc{x}"}],
            "path": "/models/cats_vs_dogs"
          },
          "model_parameters": {
            "model_architecture": "MobileNetV2",
            "data": [
              {"name": "train", "link": "https://www.tensorflow.org/datasets/catalog/cats_vs_dogs",
               "sensitive": {"sensitive_data": []}, "description": "4,000 training images",
               "graphics": {"description": "Class balance", "collection": [{"name": "Classes", "image": "iVBORw0KGgo="}]}},
              {"name": "eval", "description": "1,000 evaluation images"},
              {"name": "augmentation", "description": "Random flips"}
            ],
            "input_format": "224x224 RGB image"
          },
          "quantitative_analysis": {
            "performance_metrics": [
              {"type": "accuracy", "value": 0.9, "slice": "cat"},
              {"type": "accuracy", "value": "0.94", "confidence_interval": {"lower_bound": 0.9, "upper_bound": "0.96"}, "threshold": 0.5}
            ],
            "graphics": {"description": "Accuracy by class", "collection": []}
          },
          "considerations": {
            "users": [{"description": "Pet owners"}, {"description": "Shelters"}],
            "use_cases": [
              {"description": "Sorting photos of pets"},
              {"description": "Out-of-scope: identifying people"}
            ],
            "limitations": [{"description": "Poor on low-light photos"}],
            "tradeoffs": [{"description": "Faster but less accurate than ResNet"}],
            "ethical_considerations": [
              {"name": "Photos of humans are labelled cat or dog", "mitigation_strategy": "Ask the user to confirm the photo shows a pet"}
            ]
          }
        }
        """;

    [Fact]
    public void A_hand_written_toolkit_file_is_read_into_the_card()
    {
        var result = ModelCardToolkitJson.Import(HandWritten);

        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
        var card = result.Card!;
        Assert.Equal("Fine-tuned MobileNetV2 Model for Cats vs. Dogs", result.ModelName);
        Assert.Equal("v1.0", result.Version);
        Assert.Equal("This model distinguishes cat and dog images.\n\nIt was trained on a subset of the cats vs dogs dataset.\n\n"
            + "Model architecture: MobileNetV2\n\nInput format: 224x224 RGB image", card.Overview);
        Assert.Equal<ModelCardContact>([new ModelCardContact("Model Cards Team", "model-cards@google.com"), new ModelCardContact("Feedback")], card.Contacts);
        Assert.Equal("Apache-2.0", card.License);
        Assert.Equal("4,000 training images\n\nSource: https://www.tensorflow.org/datasets/catalog/cats_vs_dogs\n\n"
            + "Dataset \"augmentation\":\n\nRandom flips", card.TrainingData);
        Assert.Equal("1,000 evaluation images", card.EvaluationData);
        Assert.Equal("Accuracy by class", card.QuantitativeAnalysis);
        Assert.Equal("Pet owners\n\nShelters", card.Users);
        Assert.Equal("Sorting photos of pets", card.IntendedUse);
        Assert.Equal("identifying people", card.OutOfScopeUses);
        Assert.Equal("Poor on low-light photos", card.Limitations);
        Assert.Equal("Faster but less accurate than ResNet", card.CaveatsAndRecommendations);
        Assert.Equal("", card.FairnessAnalysis);
        Assert.Equal<EthicalConsideration>([new EthicalConsideration("Photos of humans are labelled cat or dog", "Ask the user to confirm the photo shows a pet")],
            card.EthicalConsiderations);
    }

    [Fact]
    public void What_the_card_cannot_hold_is_reported_as_warnings()
    {
        var warnings = ModelCardToolkitJson.Import(HandWritten).Warnings;

        Assert.Contains(warnings, w => w.Contains("\"https://forms.example.org/feedback\" of \"Feedback\" is not an email address", StringComparison.Ordinal));
        Assert.Contains("1 reference was not imported; the card has no place for it.", warnings);
        Assert.Contains("1 citation was not imported; the card has no place for it.", warnings);
        Assert.Contains("The model's path was not imported.", warnings);
        Assert.Contains("1 dataset graphic was not imported; the card has no place for it.", warnings);
        Assert.Contains(warnings, w => w.StartsWith("The dataset \"augmentation\" is neither training nor evaluation data", StringComparison.Ordinal));
        Assert.Contains("2 performance metrics were not imported; a version's metrics come from its evaluation runs.", warnings);
    }

    [Fact]
    public void Unknown_nested_fields_are_ignored_with_a_warning()
    {
        var result = ModelCardToolkitJson.Import("""{"schema_version": "0.0.2", "model_details": {"overview": "x", "regulatory_requirements": "y"}}""");

        Assert.True(result.Succeeded);
        Assert.Equal(["Unknown field ignored: model_details.regulatory_requirements."], result.Warnings);
    }

    [Fact]
    public void A_file_without_schema_version_is_read_as_v0_0_2_with_a_warning()
    {
        var result = ModelCardToolkitJson.Import("""{"model_details": {"overview": "An overview."}}""");

        Assert.True(result.Succeeded);
        Assert.Equal("An overview.", result.Card!.Overview);
        Assert.Equal(["The file does not give its schema_version; it was read as 0.0.2."], result.Warnings);
    }

    public static TheoryData<string, string> MalformedFiles() => new()
    {
        { "", "The file is empty." },
        { "   \n ", "The file is empty." },
        { "not json", "The file is not valid JSON (line 1" },
        { "{\"schema_version\": \"0.0.2\",}", "The file is not valid JSON" },
        { "{\"schema_version\": \"0.0.2\" /* comment */}", "The file is not valid JSON" },
        { "{\"model_details\": {\"overview\": \"a\"}", "The file is not valid JSON" },
        { "[]", "A model card file holds a JSON object; this one holds an array." },
        { "\"card\"", "this one holds a string" },
        { "null", "this one holds null" },
        { "{\"schema_version\": \"0.0.1\"}", "The file uses schema_version \"0.0.1\"; only 0.0.2 can be read." },
        { "{\"schema_version\": \"1.0\"}", "only 0.0.2 can be read" },
        { "{\"schema_version\": 2}", "schema_version must be text" },
        { "{\"schema_version\": \"0.0.2\", \"model_card\": {}}", "unknown top-level field \"model_card\"" },
        { "{\"model_details\": {\"name\": \"a\", \"name\": \"b\"}}", "The file gives the same field twice in one object" },
        { "{\"model_details\": {\"overview\": 5}}", "The field \"model_details.overview\" does not have the type the schema gives it (line 1" },
        { "{\"model_details\": []}", "\"model_details\" does not have the type" },
        { "{\"model_details\": {\"owners\": {\"name\": \"x\"}}}", "\"model_details.owners\" does not have the type" },
        { "{\"considerations\": {\"users\": [\"Pet owners\"]}}", "\"considerations.users[0]\" does not have the type" },
        { "{\"considerations\": {\"ethical_considerations\": [{\"name\": 1}]}}", "\"considerations.ethical_considerations[0].name\" does not have the type" },
        { "{\"quantitative_analysis\": {\"performance_metrics\": [{\"type\": \"auc\", \"value\": true}]}}", "performance_metrics[0].value\" does not have the type" },
        { "{\"model_details\": {\"version\": \"1.0\"}}", "\"model_details.version\" does not have the type" },
        { "{\"model_details\": {\"overview\": \"" + new string('x', 20_001) + "\"}}", "Overview is 20,001 characters long; the limit is 20,000." },
        { "{\"considerations\": {\"ethical_considerations\": [" + string.Join(",", Enumerable.Repeat("{\"name\": \"r\"}", 51)) + "]}}", "at most 50 risks" },
        { "{\"model_details\": {\"overview\": \"bad \\u0000 character\"}}", "control characters" },
        { new string('[', 100) + new string(']', 100), "The file is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_files_are_refused_with_a_readable_error(string json, string error)
    {
        var result = ModelCardToolkitJson.Import(json);

        Assert.False(result.Succeeded);
        Assert.Null(result.Card);
        Assert.Contains(result.Errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_above_the_size_limit_is_refused_before_parsing()
    {
        var json = "{\"model_details\": {\"overview\": \"" + new string('x', ModelCardToolkitJson.MaxInputLength) + "\"}}";

        var result = ModelCardToolkitJson.Import(json);

        Assert.Equal(["The file is too large to be a model card (1,000,035 characters; at most 1,000,000 are read)."], result.Errors);
    }

    [Fact]
    public void Mangled_files_never_make_import_throw()
    {
        var valid = Export(CardTestData.Complete());
        var random = new Random(7);
        const string noise = "{}[]\",:0-9eE.tfn\\ \n\u0000x";
        for (var round = 0; round < 500; round++)
        {
            var text = new StringBuilder(valid);
            for (var edit = 0; edit < 1 + random.Next(5); edit++)
            {
                var at = random.Next(text.Length);
                if (random.Next(2) == 0)
                {
                    text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(20)));
                }
                else
                {
                    text.Insert(at, noise[random.Next(noise.Length)]);
                }
            }

            var result = ModelCardToolkitJson.Import(text.ToString());

            Assert.True(result.Succeeded ^ result.Errors.Count > 0);
        }
    }
}
