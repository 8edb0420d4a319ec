using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

/// <summary>What an import saved (<see cref="Revision"/>), or why not (<see cref="Problem"/>), and what the file held that a card cannot.</summary>
public sealed record CardImport(ModelCardRevision? Revision, string? Problem, IReadOnlyList<string> Warnings);

public sealed record CurrentCard(ModelCard Card, int Revision, CardCompleteness Completeness, ModelCardRevision? Latest);

/// <summary>Reads and revises model cards. Each save adds a revision; a save based on an older revision is refused.</summary>
public sealed class ModelCardService(GovernanceDbContext db, TimeProvider clock)
{
    public async Task<CurrentCard> CurrentAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        var latest = await db.ModelCardRevisions.AsNoTracking().Where(r => r.VersionId == version.Id)
            .OrderByDescending(r => r.Number).FirstOrDefaultAsync(cancellationToken);
        var card = latest?.Card ?? ModelCard.Empty;
        var metrics = version.Metrics.Count > 0 ? version.Metrics.Count : await db.VersionMetrics.CountAsync(m => m.VersionId == version.Id, cancellationToken);
        return new CurrentCard(card, latest?.Number ?? 0, ModelCardCompleteness.Score(card, metrics), latest);
    }

    public async Task<List<ModelCardRevision>> RevisionsAsync(Guid versionId, CancellationToken cancellationToken = default) =>
        await db.ModelCardRevisions.AsNoTracking().Where(r => r.VersionId == versionId).OrderByDescending(r => r.Number).ToListAsync(cancellationToken);

    /// <summary>
    /// Saves <paramref name="card"/> as the next revision. <paramref name="basedOn"/> is the revision the editor started
    /// from; when someone saved in between, nothing is saved and the caller is told to review their change.
    /// </summary>
    public async Task<Result<ModelCardRevision>> SaveAsync(Caller caller, ModelVersion version, ModelCard card, ModelCardSection? section,
        int? basedOn, string action, CancellationToken cancellationToken = default, Audit.AuditActor? actor = null)
    {
        var model = version.Model ?? await db.Models.AsNoTracking().SingleAsync(m => m.Id == version.ModelId, cancellationToken);
        if (RegistryRules.WhyCannotEdit(caller, model.Owner, model.Team) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        if (Retirement.RetirementRules.WhyFrozen(version.Stage, model.Key, version.Number) is { } frozen)
        {
            return new Failure(FailureKind.Conflict, frozen);
        }
        var problems = section is { } only ? card.Validate(only) : card.Validate();
        if (problems.Count > 0)
        {
            return new Failure(FailureKind.Invalid, "The model card could not be saved: some fields need attention.",
                problems.GroupBy(p => Camel(p.Field)).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
        }
        var current = await CurrentAsync(version, cancellationToken);
        if (basedOn is { } started && started != current.Revision)
        {
            return new Failure(FailureKind.Conflict,
                $"{current.Latest?.SavedBy ?? "Someone"} saved the card (revision {current.Revision}) after you opened it. Your text is kept below: review it and save again.");
        }
        if (current.Card == card)
        {
            return current.Latest ?? (Result<ModelCardRevision>)new Failure(FailureKind.Rule, "Nothing changed.");
        }
        var revision = ModelCardRevision.Of(version, current.Revision + 1, card, section, clock.GetUtcNow(), caller.Username);
        db.ModelCardRevisions.Add(revision);
        db.Audit.Record(action, revision, new
        {
            model = model.Key,
            version = version.Number.ToString(),
            section = section?.ToString() ?? "all",
            // Lists as lines, as the revision diff shows them: a risk or contact section has no single text.
            before = section is { } changed ? ModelCardDiff.SectionText(current.Card, changed) : null,
            after = section is { } written ? ModelCardDiff.SectionText(card, written) : null,
        }, actor);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return revision;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, "Someone saved the card at the same moment. Your text is kept below: review it and save again.");
        }
    }

    /// <summary>
    /// Replaces the whole card with a Model Card Toolkit JSON file's, as a new revision; the problem says why not, the
    /// warnings name what the file held that a card cannot.
    /// </summary>
    public async Task<CardImport> ImportAsync(Caller caller, ModelVersion version, string json, CancellationToken cancellationToken = default,
        Audit.AuditActor? actor = null)
    {
        var imported = ModelCardToolkitJson.Import(json);
        if (imported.Card is null)
        {
            return new CardImport(null, "The file is not a Model Card Toolkit card: " + string.Join(" ", imported.Errors.Take(3)), []);
        }
        var result = await SaveAsync(caller, version, imported.Card, null, null, "card.imported", cancellationToken, actor);
        return new CardImport(result.Value, result.Failure?.Message, imported.Warnings.Take(3).ToList());
    }

    private static string Camel(string field) => field.Length == 0 ? field : char.ToLowerInvariant(field[0]) + field[1..];
}
