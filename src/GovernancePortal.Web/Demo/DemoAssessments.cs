namespace GovernancePortal.Demo;

/// <summary>
/// Checklist work in progress beside the signed-off assessments every production version has (<see cref="DemoSeeder"/>):
/// the radiology triage model's HIPAA assessment, 12 items answered, not yet submitted. Added only when it has none.
/// </summary>
internal sealed class DemoAssessments(DemoWorkflow workflow, DemoSteps steps, DateTimeOffset now)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var version = await Registry.RegistryQueries.FindVersionAsync(workflow.Db, "radiology-triage", "0.3.0", cancellationToken);
        if (version is null || workflow.Db.Assessments.Any(a => a.VersionId == version.Id && a.TemplateId == "hipaa"))
        {
            return;
        }
        steps.Begin(now.AddDays(-20));
        await steps.AssessAsync("owner2@demo.test", DemoSteps.SecondOfficer, "radiology-triage", "0.3.0", "hipaa", cancellationToken, answered: 12);
    }
}
