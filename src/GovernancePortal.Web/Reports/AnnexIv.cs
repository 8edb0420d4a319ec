using GovernancePortal.Compliance;
using GovernancePortal.Registry;

namespace GovernancePortal.Reports;

/// <summary>One point of Annex IV: the card sections and EU AI Act checklist items that fill it.</summary>
public sealed record AnnexIvPoint(int Number, string Title, IReadOnlyList<ModelCardSection> Sections, IReadOnlyList<string> Items);

/// <summary>
/// EU AI Act Annex IV (technical documentation, Art. 11(1)) point by point, mapped onto what the registry holds: card
/// sections, the version's facts and the answers of the <c>eu-ai-act</c> checklist. What none of them fills is a gap.
/// </summary>
public static class AnnexIv
{
    public const string TemplateId = "eu-ai-act";

    public static readonly IReadOnlyList<AnnexIvPoint> Points =
    [
        new(1, "General description of the AI system", [ModelCardSection.Overview, ModelCardSection.IntendedUse, ModelCardSection.Users, ModelCardSection.OutOfScopeUses],
            ["eu-ai-act-annex-iv-1-general-description", "eu-ai-act-art13-instructions-for-use"]),
        new(2, "Elements of the AI system and the process of its development", [ModelCardSection.TrainingData, ModelCardSection.EvaluationData],
            ["eu-ai-act-annex-iv-2-development-process", "eu-ai-act-art10-data-governance", "eu-ai-act-art10-3-data-quality", "eu-ai-act-art14-human-oversight", "eu-ai-act-art15-cybersecurity"]),
        new(3, "Monitoring, functioning and control of the AI system", [ModelCardSection.Limitations, ModelCardSection.Factors, ModelCardSection.FairnessAnalysis],
            ["eu-ai-act-annex-iv-3-monitoring-functioning-control", "eu-ai-act-art14-4-override-and-stop", "eu-ai-act-art12-logging", "eu-ai-act-art10-bias"]),
        new(4, "Appropriateness of the performance metrics", [ModelCardSection.QuantitativeAnalysis],
            ["eu-ai-act-annex-iv-4-metrics-appropriateness", "eu-ai-act-art15-accuracy", "eu-ai-act-art15-robustness"]),
        new(5, "Risk management system (Art. 9)", [ModelCardSection.EthicalConsiderations],
            ["eu-ai-act-annex-iv-5-risk-management-system", "eu-ai-act-art9-risk-management", "eu-ai-act-art9-testing"]),
        new(6, "Relevant changes through the lifecycle", [], ["eu-ai-act-annex-iv-6-lifecycle-changes"]),
        new(7, "Harmonised standards and other specifications applied", [], ["eu-ai-act-annex-iv-7-standards-applied"]),
        new(8, "EU declaration of conformity (Art. 47)", [], ["eu-ai-act-annex-iv-8-declaration-of-conformity"]),
        new(9, "Post-market monitoring (Art. 72)", [ModelCardSection.CaveatsAndRecommendations],
            ["eu-ai-act-annex-iv-9-post-market-monitoring", "eu-ai-act-art19-log-retention"]),
    ];

    /// <summary>What the registry cannot fill for one point: unwritten card sections and checklist items not answered Yes and accepted.</summary>
    public static IReadOnlyList<string> Gaps(AnnexIvPoint point, ModelCard card, TemplateRow? checklist)
    {
        var gaps = new List<string>();
        foreach (var section in point.Sections)
        {
            var empty = section switch
            {
                ModelCardSection.EthicalConsiderations => card.EthicalConsiderations.Length == 0,
                ModelCardSection.Contacts => card.Contacts.Length == 0,
                _ => string.IsNullOrWhiteSpace(card.GetText(section)),
            };
            if (empty)
            {
                gaps.Add($"Model card section \"{section.Title()}\" is not written.");
            }
        }
        if (checklist?.Assessment is not { } assessment)
        {
            gaps.Add(checklist is null
                ? "The EU AI Act checklist does not apply to this version, so none of its items is answered."
                : "The EU AI Act checklist has not been started.");
            return gaps;
        }
        var items = checklist.TemplateVersion.Items.ToDictionary(i => i.ItemId);
        var answers = assessment.Answers.ToDictionary(a => a.ItemId);
        foreach (var id in point.Items.Where(items.ContainsKey))
        {
            var item = items[id];
            if (!answers.TryGetValue(id, out var answer))
            {
                gaps.Add($"Checklist item {id} ({item.Citation}) is unanswered.");
            }
            else if (answer.Answer == AnswerValue.No)
            {
                gaps.Add($"Checklist item {id} ({item.Citation}) is answered No.");
            }
            else if (answer.Review != ReviewState.Accepted)
            {
                gaps.Add($"Checklist item {id} ({item.Citation}) is answered {answer.Answer} but not yet accepted by a compliance officer.");
            }
        }
        return gaps;
    }
}
