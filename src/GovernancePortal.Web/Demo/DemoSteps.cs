using System.Text;
using GovernancePortal.Approvals;
using GovernancePortal.Compliance;
using GovernancePortal.Registry;
using GovernancePortal.Retirement;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Demo;

/// <summary>
/// What people do in the demo story, each through the service a page or the API calls: owners register, write cards,
/// answer checklists and request promotions; compliance officers review, sign off and decide. A step the rules refuse
/// stops the seeding with the refusal, so the demo never holds a state the portal would not have allowed.
/// </summary>
internal sealed class DemoSteps(DemoWorkflow workflow)
{
    public const string FirstOfficer = "compliance@demo.test";
    public const string SecondOfficer = "compliance2@demo.test";

    private static readonly string[] Officers = [FirstOfficer, SecondOfficer];

    public DemoClock Clock => workflow.Clock;

    /// <summary>Starts a part of the story at <paramref name="at"/>, which may be before where the last part ended.</summary>
    public void Begin(DateTimeOffset at) => workflow.Clock.Now = at;

    /// <summary>
    /// Moves the story's clock on to <paramref name="at"/> (never back, when the steps before took longer); the steps
    /// that follow happen then, a few minutes apart.
    /// </summary>
    public void At(DateTimeOffset at) => workflow.Clock.Now = at > workflow.Clock.Now ? at : workflow.Clock.Now;

    public async Task<Model> RegisterModelAsync(string owner, RegisterModelRequest request, CancellationToken cancellationToken)
    {
        return await workflow.SittingAsync(async () =>
            Done(await workflow.Get<RegistryService>().RegisterModelAsync(workflow.As(owner), request, cancellationToken), $"register {request.Key}"), cancellationToken);
    }

    public async Task RegisterVersionAsync(string owner, string key, RegisterVersionRequest request, CancellationToken cancellationToken)
    {
        await workflow.SittingAsync(async () =>
            Done(await workflow.Get<RegistryService>().RegisterVersionAsync(workflow.As(owner), key, request, cancellationToken), $"register {key} {request.Version}"),
            cancellationToken);
        Tick();
    }

    /// <summary>The owner asks for <paramref name="target"/>; officers approve, one after another, until the policy is satisfied.</summary>
    public async Task PromoteAsync(string requester, string key, string versionText, Stage target, string justification, CancellationToken cancellationToken)
    {
        var promotions = workflow.Get<PromotionService>();
        var opened = await workflow.SittingAsync(async () =>
        {
            var caller = workflow.As(requester);
            return await promotions.RequestAsync(caller, await VersionAsync(key, versionText, cancellationToken), target, justification, cancellationToken);
        }, cancellationToken);
        if (opened.Failure is { } failure)
        {
            var gates = string.Join("; ", opened.Gates.Where(g => !g.Passed).Select(g => $"{g.Name}: {g.Explanation}"));
            throw new InvalidOperationException($"Demo data: requesting {target} for {key} {versionText} was refused: {failure.Message} {gates}");
        }
        var id = opened.Promotion!.Id;
        var state = opened.Promotion.State;
        foreach (var officer in Officers)
        {
            if (state != PromotionRequestState.Pending)
            {
                break;
            }
            Tick(TimeSpan.FromHours(20));
            var comment = target == Stage.Retired ? "Traffic is off the version and the decommission checklist is signed off."
                : "Reviewed the card, the metrics against their thresholds, the lineage and the checklists.";
            var decided = await workflow.SittingAsync(() => promotions.DecideAsync(workflow.As(officer), id, Verdict.Approve, comment, cancellationToken), cancellationToken);
            if (decided.Failure is { } refused)
            {
                throw new InvalidOperationException($"Demo data: {officer} could not approve {target} for {key} {versionText}: {refused.Message}");
            }
            state = decided.Promotion!.State;
        }
        if (state != PromotionRequestState.Approved)
        {
            throw new InvalidOperationException($"Demo data: the {target} request for {key} {versionText} ended {state}, not Approved.");
        }
        Tick();
    }

    /// <summary>
    /// The owner answers every applicable item of <paramref name="templateId"/> (evidence where the item asks for it) and,
    /// unless <paramref name="answered"/> stops short, submits; <paramref name="officer"/> accepts each answer and signs off.
    /// </summary>
    public async Task AssessAsync(string owner, string officer, string key, string versionText, string templateId, CancellationToken cancellationToken,
        int answered = int.MaxValue)
    {
        var checklists = workflow.Get<ChecklistCommands>();
        await workflow.SittingAsync(async () =>
        {
            Done(await checklists.StartAsync(workflow.As(owner), key, versionText, templateId, carryOver: false, cancellationToken), $"start {templateId} of {key} {versionText}");
            var items = (await RowAsync(key, versionText, templateId, cancellationToken)).Applicability.ApplicableItems.Take(answered).ToList();
            foreach (var item in items)
            {
                await AnswerAsync(checklists, workflow.Get<ChecklistEvidence>(), owner, key, versionText, templateId, item, cancellationToken);
            }
            if (answered == int.MaxValue)
            {
                Tick();
                Done(await checklists.SubmitAsync(workflow.As(owner), key, versionText, templateId, cancellationToken), $"submit {templateId} of {key} {versionText}");
            }
            return true;
        }, cancellationToken);
        if (answered != int.MaxValue)
        {
            return;
        }
        Tick(TimeSpan.FromDays(1));
        await workflow.SittingAsync(async () =>
        {
            var submitted = (await RowAsync(key, versionText, templateId, cancellationToken)).Assessment!;
            foreach (var answer in submitted.Answers.OrderBy(a => a.AnsweredAt))
            {
                Tick();
                Done(await checklists.ReviewAsync(workflow.As(officer), key, versionText, templateId, answer.ItemId, Compliance.ReviewState.Accepted, null, answer.Revision,
                    cancellationToken), $"accept {answer.ItemId}");
            }
            Tick();
            var reviewed = (await RowAsync(key, versionText, templateId, cancellationToken)).Assessment!;
            return Done(await checklists.SignOffAsync(workflow.As(officer), key, versionText, templateId, reviewed.Revision, cancellationToken),
                $"sign off {templateId} of {key} {versionText}");
        }, cancellationToken);
        Tick(TimeSpan.FromHours(3));
    }

    private async Task AnswerAsync(ChecklistCommands checklists, ChecklistEvidence evidence, string owner, string key, string versionText, string templateId, ChecklistItem item,
        CancellationToken cancellationToken)
    {
        Tick();
        // The data was de-identified by expert determination, so the Safe Harbor identifiers are not the method used.
        var safeHarbor = item.Id.StartsWith("hipaa-safe-harbor-", StringComparison.Ordinal) || item.Id == "hipaa-164-514-b-2-ii-no-actual-knowledge";
        Done(await checklists.AnswerAsync(workflow.As(owner), key, versionText, templateId, item.Id, safeHarbor ? AnswerValue.NotApplicable : AnswerValue.Yes,
            safeHarbor ? "De-identified by expert determination (see the expert's report); Safe Harbor was not the method used." : null, null, cancellationToken),
            $"answer {item.Id}");
        if (!safeHarbor && item.Evidence == EvidenceKind.Link)
        {
            Tick();
            Done(await evidence.AddLinkAsync(workflow.As(owner), key, versionText, templateId, item.Id, $"https://wiki.example.com/compliance/{key}/{item.Id}", cancellationToken),
                $"link evidence for {item.Id}");
        }
        else if (!safeHarbor && item.Evidence == EvidenceKind.File)
        {
            Tick();
            var bytes = Encoding.UTF8.GetBytes($"Evidence for {item.Id} ({item.Citation}) of {key} {versionText}.\nPrepared by {owner}; reviewed with the privacy office.\n");
            using var content = new MemoryStream(bytes);
            Done(await evidence.AddFileAsync(workflow.As(owner), key, versionText, templateId, item.Id, $"{item.Id}.txt", content, bytes.Length, cancellationToken),
                $"file evidence for {item.Id}");
        }
    }

    /// <summary>Every checklist that applies to the version and is not yet signed off, assessed and signed off.</summary>
    public async Task AssessAllAsync(string owner, string officer, string key, string versionText, CancellationToken cancellationToken)
    {
        workflow.As(owner);
        var version = await VersionAsync(key, versionText, cancellationToken);
        var open = (await workflow.Get<ChecklistReads>().ForVersionAsync(version, cancellationToken))
            .Where(r => r.Applicability.Applies && r.Status is not { SignedOff: true }).Select(r => r.TemplateVersion.TemplateId).ToList();
        foreach (var templateId in open)
        {
            await AssessAsync(owner, officer, key, versionText, templateId, cancellationToken);
        }
    }

    public async Task PlanRetirementAsync(string owner, string key, string versionText, PlanInput plan, CancellationToken cancellationToken)
    {
        await workflow.SittingAsync(async () =>
            Done(await workflow.Get<RetirementService>().PlanAsync(workflow.As(owner), key, versionText, plan, cancellationToken), $"plan the retirement of {key} {versionText}"),
            cancellationToken);
        Tick();
    }

    public async Task CancelRetirementAsync(string owner, string key, string versionText, string reason, CancellationToken cancellationToken)
    {
        await workflow.SittingAsync(async () =>
            Done(await workflow.Get<RetirementService>().CancelAsync(workflow.As(owner), key, versionText, reason, cancellationToken), $"cancel the retirement of {key} {versionText}"),
            cancellationToken);
        Tick();
    }

    // Within a sitting steps follow seconds apart: the checkpoint rules (ADR-022) want one within minutes of any event, and
    // the checkpoint job of the story's time is the end of each sitting.
    private void Tick(TimeSpan? by = null) => workflow.Clock.Now += by ?? TimeSpan.FromSeconds(2);

    private async Task<ModelVersion> VersionAsync(string key, string versionText, CancellationToken cancellationToken) =>
        await RegistryQueries.FindVersionAsync(workflow.Db, key, versionText, cancellationToken)
        ?? throw new InvalidOperationException($"Demo data: {key} {versionText} is not registered.");

    private async Task<TemplateRow> RowAsync(string key, string versionText, string templateId, CancellationToken cancellationToken)
    {
        workflow.Db.ChangeTracker.Clear();
        var version = await VersionAsync(key, versionText, cancellationToken);
        return (await workflow.Get<ChecklistReads>().ForVersionAsync(version, cancellationToken)).Single(r => r.TemplateVersion.TemplateId == templateId);
    }

    private static T Done<T>(Result<T> result, string step) where T : class =>
        result.Value ?? throw new InvalidOperationException($"Demo data: could not {step}: {result.Failure!.Message} "
            + string.Join("; ", result.Failure.Errors?.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")) ?? []));
}
