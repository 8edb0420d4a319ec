using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

/// <summary>The shipped templates in db/checklists: they load, their ids are stable and every rule makes a difference.</summary>
public sealed class SeedChecklistTests
{
    private static readonly string[] ExpectedTemplates = ["decommission", "eu-ai-act", "gdpr", "hipaa", "nist-ai-rmf", "sr-11-7"];

    public static string ChecklistDirectory()
    {
        // Tests run from bin/…; the repository root is where the solution file is.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GovernancePortal.sln")))
            {
                return Path.Combine(dir.FullName, "db", "checklists");
            }
        }
        throw new DirectoryNotFoundException("GovernancePortal.sln not found above " + AppContext.BaseDirectory);
    }

    private static IReadOnlyList<ChecklistTemplate> Library() => ChecklistLibrary.LoadDirectory(ChecklistDirectory());

    /// <summary>Every tier × every subset of data categories × every flag.</summary>
    public static IReadOnlyList<ModelAttributes> AllModels() =>
        (from risk in Enum.GetValues<RiskTier>()
         from data in Enumerable.Range(0, 8).Select(bits => (DataCategories)bits)
         from eu in new[] { false, true }
         from automated in new[] { false, true }
         from retiring in new[] { false, true }
         select new ModelAttributes(risk, data, eu, automated) { RetirementPlanned = retiring }).ToList();

    [Fact]
    public void Every_template_file_loads_and_the_five_templates_are_there()
    {
        var files = Directory.GetFiles(ChecklistDirectory(), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedTemplates, files);
        Assert.Equal(ExpectedTemplates, Library().Select(t => t.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void No_other_files_would_be_silently_ignored()
    {
        var others = Directory.GetFiles(ChecklistDirectory()).Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".yaml", StringComparison.Ordinal) && f != "README.md");
        Assert.Empty(others);
    }

    [Fact]
    public void Template_ids_match_file_names_and_are_unique()
    {
        foreach (var file in Directory.GetFiles(ChecklistDirectory(), "*.yaml"))
        {
            Assert.Equal(Path.GetFileNameWithoutExtension(file), ChecklistLibrary.Load(File.ReadAllText(file), file).Id);
        }
        var ids = Library().Select(t => t.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Item_ids_are_unique_across_the_library_kebab_case_and_prefixed_by_their_template()
    {
        var all = Library().SelectMany(t => t.Items.Select(i => (Template: t.Id, i.Id))).ToList();
        Assert.Equal(all.Count, all.Select(x => x.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, x =>
        {
            Assert.True(ChecklistLibrary.IsKebabCase(x.Id), x.Id);
            Assert.StartsWith(x.Template + "-", x.Id, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_item_has_text_guidance_citation_and_a_valid_evidence_kind()
    {
        Assert.All(Library().SelectMany(t => t.Items), item =>
        {
            Assert.False(string.IsNullOrWhiteSpace(item.Text), item.Id);
            Assert.False(string.IsNullOrWhiteSpace(item.Guidance), item.Id);
            Assert.False(string.IsNullOrWhiteSpace(item.Citation), item.Id);
            Assert.True(Enum.IsDefined(item.Evidence), item.Id);
            // Short imperative: no trailing full stop, starts with a capital.
            Assert.False(item.Text.EndsWith('.'), item.Id);
            Assert.True(char.IsUpper(item.Text[0]), item.Id);
        });
    }

    [Fact]
    public void Every_template_states_its_reason_and_authority()
    {
        Assert.All(Library(), t =>
        {
            Assert.False(string.IsNullOrWhiteSpace(t.Authority), t.Id);
            Assert.True(t.Version >= 1, t.Id);
            // A rule that can fail needs the actual reason; "always" templates state a fixed one.
            Assert.True(t.AppliesWhen.IsAlways || t.AppliesBecause.Contains(ChecklistTemplate.ReasonPlaceholder, StringComparison.Ordinal), t.Id);
        });
    }

    [Fact]
    public void Every_rule_is_true_for_some_model_and_false_for_another()
    {
        var models = AllModels();
        var rules = Library().Select(t => (Where: t.Id, Rule: t.AppliesWhen))
            .Concat(Library().SelectMany(t => t.Items).Where(i => i.AppliesWhen is not null).Select(i => (Where: i.Id, Rule: i.AppliesWhen!)));
        Assert.All(rules, r =>
        {
            if (r.Rule.IsAlways)
            {
                return;
            }
            Assert.True(models.Any(r.Rule.Evaluate), $"{r.Where}: '{r.Rule}' is never true");
            Assert.False(models.All(r.Rule.Evaluate), $"{r.Where}: '{r.Rule}' is always true; write 'always'");
        });
    }

    [Fact]
    public void Every_item_rule_makes_a_difference_where_its_template_applies()
    {
        var models = AllModels();
        Assert.All(Library(), template =>
        {
            var covered = models.Where(template.AppliesWhen.Evaluate).ToList();
            foreach (var item in template.Items.Where(i => i.AppliesWhen is not null))
            {
                Assert.True(covered.Any(item.AppliesWhen!.Evaluate), $"{item.Id} never applies where {template.Id} does");
                Assert.False(covered.All(item.AppliesWhen!.Evaluate), $"{item.Id}'s rule adds nothing to {template.Id}'s");
            }
        });
    }

    [Fact]
    public void Every_rule_can_be_described_and_round_trips()
    {
        var rules = Library().Select(t => t.AppliesWhen).Concat(Library().SelectMany(t => t.Items).Select(i => i.AppliesWhen).OfType<ApplicabilityRule>());
        Assert.All(rules, rule =>
        {
            Assert.False(string.IsNullOrWhiteSpace(rule.Describe()));
            Assert.Equal(rule.ToString(), ApplicabilityRule.Parse(rule.ToString()).ToString());
        });
    }

    [Fact]
    public void Obligation_is_used_only_for_HIPAA_technical_safeguards_and_addressable_items_say_what_that_means()
    {
        foreach (var item in Library().SelectMany(t => t.Items).Where(i => i.Obligation is not null))
        {
            Assert.StartsWith("hipaa-164-312-", item.Id, StringComparison.Ordinal);
            if (item.Obligation == Obligation.Addressable)
            {
                Assert.Contains("document why", item.Guidance, StringComparison.Ordinal);
                Assert.Contains("equivalent alternative measure", item.Guidance, StringComparison.Ordinal);
            }
        }
        var hipaa = Library().Single(t => t.Id == "hipaa");
        Assert.All(hipaa.Items.Where(i => i.Id.StartsWith("hipaa-164-312-", StringComparison.Ordinal)), i => Assert.NotNull(i.Obligation));
    }

    [Fact]
    public void HIPAA_marks_required_and_addressable_technical_safeguards_as_the_rule_does()
    {
        var hipaa = Library().Single(t => t.Id == "hipaa").Items.ToDictionary(i => i.Citation, i => i.Obligation);
        Assert.Equal(Obligation.Required, hipaa["45 CFR §164.312(a)(2)(i)"]);
        Assert.Equal(Obligation.Required, hipaa["45 CFR §164.312(a)(2)(ii)"]);
        Assert.Equal(Obligation.Addressable, hipaa["45 CFR §164.312(a)(2)(iii)"]);
        Assert.Equal(Obligation.Addressable, hipaa["45 CFR §164.312(a)(2)(iv)"]);
        Assert.Equal(Obligation.Required, hipaa["45 CFR §164.312(b)"]);
        Assert.Equal(Obligation.Required, hipaa["45 CFR §164.312(c)(1)"]);
        Assert.Equal(Obligation.Required, hipaa["45 CFR §164.312(d)"]);
        Assert.Equal(Obligation.Required, hipaa["45 CFR §164.312(e)(1)"]);
    }

    [Fact]
    public void All_18_Safe_Harbor_identifiers_are_separate_items()
    {
        var citations = Library().Single(t => t.Id == "hipaa").Items.Select(i => i.Citation).ToHashSet(StringComparer.Ordinal);
        var missing = "ABCDEFGHIJKLMNOPQR".Select(letter => $"45 CFR §164.514(b)(2)(i)({letter})").Where(c => !citations.Contains(c)).ToList();
        Assert.Empty(missing);
        Assert.Equal(18, Library().Single(t => t.Id == "hipaa").Items.Count(i => i.Id.StartsWith("hipaa-safe-harbor-", StringComparison.Ordinal)));
    }

    [Fact]
    public void All_nine_Annex_IV_points_are_separate_items()
    {
        var act = Library().Single(t => t.Id == "eu-ai-act").Items;
        for (var point = 1; point <= 9; point++)
        {
            var items = act.Where(i => i.Citation.StartsWith($"EU AI Act Annex IV, point {point}", StringComparison.Ordinal)
                && (i.Citation.Length == $"EU AI Act Annex IV, point {point}".Length || !char.IsDigit(i.Citation[$"EU AI Act Annex IV, point {point}".Length]))).ToList();
            Assert.True(items.Count == 1, $"Annex IV point {point}: {items.Count} items");
            Assert.StartsWith($"eu-ai-act-annex-iv-{point}-", items[0].Id, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_bullet_of_the_requirement_has_an_item()
    {
        var ids = Library().SelectMany(t => t.Items).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        string[] required =
        [
            "gdpr-art5-1-principles", "gdpr-art5-2-accountability", "gdpr-art6-1-basis-training", "gdpr-art6-1-basis-inference",
            "gdpr-art6-1-basis-monitoring", "gdpr-art9-2-condition", "gdpr-art13-14-information", "gdpr-art13-14-automated-decision-logic",
            "gdpr-art15-21-rights-process", "gdpr-art17-erasure-trained-models", "gdpr-art22-2-exception", "gdpr-art22-3-safeguards",
            "gdpr-art22-4-special-categories", "gdpr-art25-1-by-design", "gdpr-art25-2-by-default", "gdpr-art30-record-of-processing",
            "gdpr-art32-security", "gdpr-art35-dpia", "gdpr-art35-2-dpo-consulted",
            "hipaa-164-514-b-1-expert-determination", "hipaa-164-502-e-business-associates", "hipaa-164-504-e-baa-content",
            "hipaa-164-308-b-security-assurances",
            "eu-ai-act-art9-risk-management", "eu-ai-act-art10-data-governance", "eu-ai-act-art11-technical-documentation",
            "eu-ai-act-art12-logging", "eu-ai-act-art13-instructions-for-use", "eu-ai-act-art14-human-oversight",
            "eu-ai-act-art15-accuracy", "eu-ai-act-art15-robustness", "eu-ai-act-art15-cybersecurity",
            "eu-ai-act-art18-documentation-retention", "eu-ai-act-art19-log-retention",
            "nist-ai-rmf-govern-1-6-inventory",
            "sr-11-7-inventory", "sr-11-7-independent-validation", "sr-11-7-conceptual-soundness", "sr-11-7-ongoing-monitoring",
            "sr-11-7-outcomes-analysis", "sr-11-7-annual-review",
        ];
        Assert.Equal([], required.Where(id => !ids.Contains(id)).ToArray());
        var nist = Library().Single(t => t.Id == "nist-ai-rmf").Items.Select(i => i.Citation).ToList();
        Assert.All(new[] { "GOVERN", "MAP", "MEASURE", "MANAGE" }, f => Assert.Contains(nist, c => c.Contains($", {f} ", StringComparison.Ordinal)));
    }
}
