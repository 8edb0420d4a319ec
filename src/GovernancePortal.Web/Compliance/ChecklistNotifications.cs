using GovernancePortal.Identity;
using GovernancePortal.Notifications;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

/// <summary>Who hears of a checklist's review: the officers who may sign it off when it is submitted, its owner when it is signed off.</summary>
public sealed class ChecklistNotifications(Notifier notifier)
{
    public static string Link(ModelVersion version, string templateId) => $"/models/{version.Model.Key}/versions/{version.Number}/compliance/{templateId}";

    public async Task SubmittedAsync(ModelVersion version, Assessment assessment, string templateTitle, CancellationToken cancellationToken)
    {
        var answeredBy = assessment.Answers.Select(a => a.AnsweredBy).ToList();
        var officers = (await notifier.PeopleWithRoleAsync(Roles.ComplianceOfficer, cancellationToken))
            .Where(p => AssessmentRules.WhyCannotSignOff(p, version.Model.Owner, answeredBy) is null).Select(p => p.Username);
        notifier.Send(officers, new("checklist.submitted", $"Checklist to review: {templateTitle} for {version.Model.Name} {version.Number}",
            $"{assessment.SubmittedBy} submitted the {templateTitle} checklist of {version.Model.Name} {version.Number} for review.",
            Link(version, assessment.TemplateId)), assessment.SubmittedBy);
    }

    /// <summary>An officer asked for changes to an answer (its evidence was not enough): the owner hears which item and why.</summary>
    public void ChangesRequested(ModelVersion version, Assessment assessment, string templateTitle, string itemId, string? comment, string officer) =>
        notifier.Send([version.Model.Owner], new("checklist.changes-requested",
            $"Changes requested: {templateTitle} item {itemId} for {version.Model.Name} {version.Number}",
            $"{officer} asked for changes to item {itemId}: {comment}", Link(version, assessment.TemplateId)), officer);

    /// <summary>The officers' call to review is settled; the owner and whoever submitted hear of the sign-off.</summary>
    public async Task SignedOffAsync(ModelVersion version, Assessment assessment, string templateTitle, CancellationToken cancellationToken)
    {
        var link = Link(version, assessment.TemplateId);
        await notifier.SettleAsync(link, cancellationToken);
        notifier.Send([version.Model.Owner, assessment.SubmittedBy ?? ""], new("checklist.signed-off",
            $"Checklist signed off: {templateTitle} for {version.Model.Name} {version.Number}",
            $"{assessment.SignedOffBy} signed off the {templateTitle} checklist of {version.Model.Name} {version.Number}.", link), assessment.SignedOffBy);
    }
}
