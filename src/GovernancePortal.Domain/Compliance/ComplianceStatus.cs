namespace GovernancePortal.Compliance;

/// <summary>
/// Where one applicable template stands for a model version: its assessment's status (null when not started), progress,
/// and every item still missing before it counts as signed off.
/// </summary>
public sealed record TemplateStatus(
    string TemplateId, string Title, int TemplateVersion, string Reason, AssessmentStatus? Status, AssessmentProgress Progress,
    IReadOnlyList<Blocker> Missing)
{
    public bool SignedOff => Status == AssessmentStatus.SignedOff && Missing.Count == 0;
}

/// <summary>What an approval gate needs: for a model version, each applicable template signed off or not, naming what is missing.</summary>
public sealed record ComplianceStatus(IReadOnlyList<TemplateStatus> Templates)
{
    public bool AllSignedOff => Templates.All(t => t.SignedOff);

    public IEnumerable<TemplateStatus> SignedOff => Templates.Where(t => t.SignedOff);

    public IEnumerable<TemplateStatus> Outstanding => Templates.Where(t => !t.SignedOff);

    /// <summary>
    /// The status of one template. A signed-off assessment needs nothing more (items applying only since the sign-off
    /// still count as missing, so a changed model reopens the question); otherwise every blocker is named.
    /// </summary>
    public static TemplateStatus Of(TemplateApplicability applicability, AssessmentStatus? status, IReadOnlyDictionary<string, ItemAnswer> answers)
    {
        var template = applicability.Template;
        var applicable = applicability.ApplicableItems.ToList();
        var progress = AssessmentRules.Progress(applicable, answers);
        var missing = status is null
            ? applicable.Select(i => new Blocker(i.Id, $"{AssessmentRules.Name(template.Title, i)}: unanswered")).ToList()
            : AssessmentRules.WhatBlocksSignOff(template.Title, status.Value, applicable, answers).ToList();
        if (missing.Count == 0 && status != AssessmentStatus.SignedOff)
        {
            missing.Add(new Blocker(null, $"{template.Title}: not signed off by a compliance officer"));
        }
        return new TemplateStatus(template.Id, template.Title, template.Version, applicability.Reason, status, progress, missing);
    }
}
