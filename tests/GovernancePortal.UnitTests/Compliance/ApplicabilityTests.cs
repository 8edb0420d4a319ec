using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed class ApplicabilityTests
{
    private static readonly IReadOnlyList<ChecklistTemplate> Library = ChecklistLibrary.LoadDirectory(SeedChecklistTests.ChecklistDirectory());

    private static TemplateApplicability Result(ModelAttributes model, string templateId) =>
        Applicability.For(Library, model).Single(r => r.Template.Id == templateId);

    [Fact]
    public void A_model_using_PHI_gets_HIPAA_with_the_reason()
    {
        var hipaa = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.ProtectedHealthInformation, false, false), "hipaa");
        Assert.True(hipaa.Applies);
        Assert.Equal("HIPAA applies: the model uses PHI.", hipaa.Reason);
        Assert.Contains(hipaa.ApplicableItems, i => i.Id == "hipaa-164-312-b-audit-controls");
    }

    [Fact]
    public void A_model_without_PHI_does_not_get_HIPAA()
    {
        var hipaa = Result(new ModelAttributes(RiskTier.High, DataCategories.PersonalData | DataCategories.SpecialCategoryData, true, true), "hipaa");
        Assert.False(hipaa.Applies);
        Assert.Equal("HIPAA does not apply: the model does not use PHI.", hipaa.Reason);
        Assert.Empty(hipaa.Items);
    }

    [Fact]
    public void A_high_risk_model_gets_the_EU_AI_Act_high_risk_items_but_not_the_prohibition()
    {
        var act = Result(new ModelAttributes(RiskTier.High, DataCategories.None, false, false), "eu-ai-act");
        Assert.True(act.Applies);
        Assert.Equal("The EU AI Act applies: the model is High risk.", act.Reason);
        Assert.Contains(act.ApplicableItems, i => i.Id == "eu-ai-act-art14-human-oversight");
        var prohibited = act.Items.Single(i => i.Item.Id == "eu-ai-act-art5-prohibited-practice");
        Assert.False(prohibited.Applies);
        Assert.Equal("Does not apply: the model is High risk.", prohibited.Reason);
    }

    [Fact]
    public void A_minimal_risk_model_does_not_get_the_EU_AI_Act()
    {
        var act = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.PersonalData, true, false), "eu-ai-act");
        Assert.False(act.Applies);
        Assert.Equal("EU AI Act does not apply: the model is Minimal risk.", act.Reason);
    }

    [Fact]
    public void A_limited_risk_model_gets_only_the_transparency_duty()
    {
        var act = Result(new ModelAttributes(RiskTier.Limited, DataCategories.None, false, false), "eu-ai-act");
        Assert.Equal(["eu-ai-act-art50-transparency"], act.ApplicableItems.Select(i => i.Id));
    }

    [Fact]
    public void GDPR_needs_EU_data_subjects_and_personal_data()
    {
        var notEu = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.PersonalData, false, false), "gdpr");
        Assert.False(notEu.Applies);
        Assert.Equal("GDPR does not apply: the model's data subjects do not include people in the EU.", notEu.Reason);

        var noData = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.None, true, false), "gdpr");
        Assert.False(noData.Applies);

        var gdpr = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.PersonalData, true, false), "gdpr");
        Assert.True(gdpr.Applies);
        Assert.Equal("GDPR applies: the model's data subjects include people in the EU and the model uses personal data.", gdpr.Reason);
    }

    [Fact]
    public void Article_22_items_follow_the_automated_legal_effect_flag_with_item_reasons()
    {
        var manual = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.PersonalData, true, false), "gdpr");
        var safeguards = manual.Items.Single(i => i.Item.Id == "gdpr-art22-3-safeguards");
        Assert.False(safeguards.Applies);
        Assert.Equal("Does not apply: the model does not make solely automated decisions with legal or similarly significant effects.", safeguards.Reason);

        var automated = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.PersonalData, true, true), "gdpr");
        safeguards = automated.Items.Single(i => i.Item.Id == "gdpr-art22-3-safeguards");
        Assert.True(safeguards.Applies);
        Assert.Equal("Applies: the model makes solely automated decisions with legal or similarly significant effects.", safeguards.Reason);
        Assert.DoesNotContain(automated.ApplicableItems, i => i.Id == "gdpr-art22-4-special-categories");
    }

    [Fact]
    public void Automated_decisions_on_health_data_get_the_special_category_items()
    {
        var gdpr = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.ProtectedHealthInformation, true, true), "gdpr");
        var ids = gdpr.ApplicableItems.Select(i => i.Id).ToList();
        Assert.Contains("gdpr-art9-2-condition", ids);
        Assert.Contains("gdpr-art22-4-special-categories", ids);
        Assert.Contains("gdpr-art35-dpia", ids);
    }

    [Fact]
    public void Items_without_their_own_rule_apply_with_the_template_and_carry_no_reason()
    {
        var gdpr = Result(new ModelAttributes(RiskTier.Minimal, DataCategories.PersonalData, true, false), "gdpr");
        var principles = gdpr.Items.Single(i => i.Item.Id == "gdpr-art5-1-principles");
        Assert.True(principles.Applies);
        Assert.Null(principles.Reason);
    }

    [Fact]
    public void Baseline_templates_apply_to_every_model_with_their_fixed_reason()
    {
        var results = Applicability.For(Library, new ModelAttributes(RiskTier.Minimal, DataCategories.None, false, false));
        Assert.Equal(["nist-ai-rmf", "sr-11-7"], results.Applicable().Select(r => r.Template.Id).Order(StringComparer.Ordinal));
        var nist = results.Single(r => r.Template.Id == "nist-ai-rmf");
        Assert.StartsWith("NIST AI RMF applies to every model", nist.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(nist.ApplicableItems, i => i.Id == "nist-ai-rmf-measure-2-10-privacy");
    }
}
