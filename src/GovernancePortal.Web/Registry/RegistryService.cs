using System.Security.Claims;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Roles = GovernancePortal.Identity.Roles;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

/// <summary>Registers models and versions for pages and API alike; every change is audited in its own transaction.</summary>
public sealed class RegistryService(GovernanceDbContext db, TimeProvider clock)
{
    public async Task<Caller> CallerAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var username = user.FindFirstValue(PortalClaims.PreferredUsername) ?? "";
        var team = await db.Users.Where(u => u.Username == username).Select(u => u.Team).SingleOrDefaultAsync(cancellationToken);
        return new Caller(username, user.FindAll(PortalClaims.Roles).Select(c => c.Value).ToHashSet(), team);
    }

    public async Task<Result<Model>> RegisterModelAsync(Caller caller, RegisterModelRequest request, CancellationToken cancellationToken = default,
        Audit.AuditActor? actor = null)
    {
        var errors = RegistryValidation.Validate(request);
        if (errors.Count > 0)
        {
            return new Failure(FailureKind.Invalid, "The model could not be registered: some fields need attention.", errors);
        }
        var ownerTeam = await db.Users.Where(u => u.Username == request.Owner).Select(u => u.Team).SingleOrDefaultAsync(cancellationToken);
        if (RegistryRules.WhyCannotRegister(caller, request.Owner!, ownerTeam, request.Team!.Trim()) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        if (await db.Models.AnyAsync(m => m.Key == request.Key, cancellationToken))
        {
            return new Failure(FailureKind.Conflict, $"A model with the key '{request.Key}' is already registered.");
        }
        var model = new Model
        {
            Key = request.Key!,
            Name = request.Name!.Trim(),
            Description = request.Description?.Trim() ?? "",
            Owner = request.Owner!,
            BusinessOwner = request.BusinessOwner?.Trim() ?? "",
            Team = request.Team.Trim(),
            UseCase = request.UseCase?.Trim() ?? "",
            RiskTier = request.RiskTier!.Value,
            DataCategories = RegistryValidation.Categories(request.DataCategories),
            EuDataSubjects = request.EuDataSubjects ?? false,
            AutomatedLegalEffect = request.AutomatedLegalEffect ?? false,
            Tags = RegistryValidation.TagText(request.Tags),
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = caller.Username,
        };
        db.Models.Add(model);
        db.Audit.Record("model.registered", model, actor: actor);
        return await SaveAsync(model, $"A model with the key '{request.Key}' is already registered.", cancellationToken);
    }

    public async Task<Result<ModelVersion>> RegisterVersionAsync(
        Caller caller, string modelKey, RegisterVersionRequest request, CancellationToken cancellationToken = default, Audit.AuditActor? actor = null)
    {
        var model = await db.Models.SingleOrDefaultAsync(m => m.Key == modelKey, cancellationToken);
        if (model is null)
        {
            return new Failure(FailureKind.NotFound, $"No model has the key '{modelKey}'.");
        }
        if (RegistryRules.WhyCannotEdit(caller, model.Owner, model.Team) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        var errors = RegistryValidation.Validate(request);
        if (errors.Count > 0)
        {
            return new Failure(FailureKind.Invalid, "The version could not be registered: some fields need attention.", errors);
        }
        VersionNumber.TryParse(request.Version, out var number);
        var existing = (await db.ModelVersions.Where(v => v.ModelId == model.Id)
            .Select(v => new { v.Major, v.Minor, v.Pipeline }).ToListAsync(cancellationToken))
            .Select(v => new VersionNumber(v.Major, v.Minor, v.Pipeline)).ToList();
        if (existing.Contains(number!.Value))
        {
            return new Failure(FailureKind.Conflict, $"Version {number} of '{modelKey}' is already registered.");
        }
        if (RegistryRules.WhyWrongVersion(existing, number.Value, request.ChangeKind!.Value) is { } wrong)
        {
            return new Failure(FailureKind.Rule, wrong, new() { ["version"] = [wrong] });
        }
        var lineage = request.Lineage;
        if (lineage?.ParentVersion is { Length: > 0 } parentText && VersionNumber.TryParse(parentText, out var parent) && !existing.Contains(parent.Value))
        {
            var message = $"The parent version {parent} is not a version of '{modelKey}'.";
            return new Failure(FailureKind.Rule, message, new() { ["lineage.parentVersion"] = [message] });
        }

        var now = clock.GetUtcNow();
        var version = new ModelVersion
        {
            ModelId = model.Id,
            Major = number.Value.Major,
            Minor = number.Value.Minor,
            Pipeline = number.Value.Pipeline,
            ChangeKind = request.ChangeKind.Value,
            ChangeReason = request.ChangeReason!.Trim(),
            ArtifactUri = request.ArtifactUri!.Trim(),
            ArtifactSha256 = request.ArtifactSha256!.ToLowerInvariant(),
            Stage = Stage.Development,
            StageChangedAt = now,
            RegisteredAt = now,
            RegisteredBy = caller.Username,
            CodeRepository = Blank(lineage?.CodeRepository),
            CodeCommit = Blank(lineage?.Commit)?.ToLowerInvariant(),
            DataSnapshotId = Blank(lineage?.DataSnapshotId),
            DataSnapshotHash = Blank(lineage?.DataSnapshotHash),
            PipelineRunId = Blank(lineage?.PipelineRunId),
            PipelineRunUrl = Blank(lineage?.PipelineRunUrl),
            ParentVersion = Blank(lineage?.ParentVersion),
            EnvironmentDigest = Blank(lineage?.EnvironmentDigest),
        };
        foreach (var metric in request.Metrics ?? [])
        {
            version.Metrics.Add(new VersionMetric
            {
                VersionId = version.Id,
                Name = metric.Name!.Trim(),
                Value = metric.Value!.Value,
                Dataset = metric.Dataset!.Trim(),
                Slice = RegistryValidation.Slice(metric.Slice),
                Threshold = metric.Threshold,
                HigherIsBetter = metric.HigherIsBetter ?? true,
            });
        }
        db.ModelVersions.Add(version);
        if (request.Card is { } card && card != ModelCard.Empty)
        {
            var revision = ModelCardRevision.Of(version, 1, card, null, now, caller.Username);
            db.ModelCardRevisions.Add(revision);
            db.Audit.Record("card.revised", revision, new { model = model.Key, version = number.Value.ToString(), section = "all" }, actor);
        }
        db.Audit.Record("version.registered", version, new
        {
            model = model.Key,
            version = number.Value.ToString(),
            metrics = version.Metrics.Select(m => new { m.Name, m.Value, m.Dataset, m.Slice, m.Threshold, m.HigherIsBetter }),
        }, actor);
        return await SaveAsync(version, $"Version {number} of '{modelKey}' is already registered.", cancellationToken);
    }

    /// <summary>
    /// Changes a model's own details (what decides which checklists apply among them). Audited with each changed field's
    /// before and after; an identical change saves nothing; a change made on an older revision is refused.
    /// </summary>
    public async Task<Result<Model>> UpdateModelAsync(Caller caller, string modelKey, UpdateModelRequest request,
        CancellationToken cancellationToken = default, Audit.AuditActor? actor = null)
    {
        var model = await db.Models.SingleOrDefaultAsync(m => m.Key == modelKey, cancellationToken);
        if (model is null)
        {
            return new Failure(FailureKind.NotFound, $"No model has the key '{modelKey}'.");
        }
        if (RegistryRules.WhyCannotEditDetails(caller, model.Owner, model.Team) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        var errors = RegistryValidation.Validate(request);
        if (errors.Count > 0)
        {
            return new Failure(FailureKind.Invalid, "The model could not be saved: some fields need attention.", errors);
        }
        if (request.Revision is { } basedOn && basedOn != model.Revision)
        {
            return StaleModel(model);
        }
        model.Name = request.Name?.Trim() ?? model.Name;
        model.Description = request.Description?.Trim() ?? model.Description;
        model.BusinessOwner = request.BusinessOwner?.Trim() ?? model.BusinessOwner;
        model.UseCase = request.UseCase?.Trim() ?? model.UseCase;
        model.RiskTier = request.RiskTier ?? model.RiskTier;
        model.DataCategories = request.DataCategories is null ? model.DataCategories : RegistryValidation.Categories(request.DataCategories);
        model.EuDataSubjects = request.EuDataSubjects ?? model.EuDataSubjects;
        model.AutomatedLegalEffect = request.AutomatedLegalEffect ?? model.AutomatedLegalEffect;
        model.Tags = request.Tags is null ? model.Tags : RegistryValidation.TagText(request.Tags);
        db.ChangeTracker.DetectChanges();
        if (db.Entry(model).State == EntityState.Unchanged)
        {
            return model;
        }
        model.Revision++;
        db.Audit.Record("model.updated", model, new { model = model.Key }, actor);
        if (await db.TrySaveChangesAsync(cancellationToken))
        {
            return model;
        }
        return StaleModel(await db.Models.AsNoTracking().SingleAsync(m => m.Key == modelKey, cancellationToken));
    }

    private static Failure StaleModel(Model current) => new(FailureKind.Conflict,
        $"The model was changed after you opened it (it is at revision {current.Revision} now). Nothing was saved: review your change against the current details and save again.");

    /// <summary>Admins move a model to another model owner; the model's team follows the new owner.</summary>
    public async Task<Result<Model>> ReassignAsync(Caller caller, string modelKey, string newOwner, CancellationToken cancellationToken = default,
        Audit.AuditActor? actor = null)
    {
        if (!caller.Has(Roles.Admin))
        {
            return new Failure(FailureKind.Forbidden, "Only platform admins reassign ownership.");
        }
        var model = await db.Models.SingleOrDefaultAsync(m => m.Key == modelKey, cancellationToken);
        if (model is null)
        {
            return new Failure(FailureKind.NotFound, $"No model has the key '{modelKey}'.");
        }
        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Username == newOwner, cancellationToken);
        if (owner is null || !owner.RoleList.Contains(Roles.ModelOwner))
        {
            return new Failure(FailureKind.Invalid, "Choose a model owner the portal knows.", new() { ["owner"] = ["Choose a model owner the portal knows."] });
        }
        if (model.Owner == owner.Username)
        {
            return model;
        }
        model.Owner = owner.Username;
        model.Team = owner.Team;
        model.Revision++;
        db.Audit.Record("model.ownership-reassigned", model, actor: actor);
        if (await db.TrySaveChangesAsync(cancellationToken))
        {
            return model;
        }
        return new Failure(FailureKind.Conflict, "The model was changed at the same moment; reload it and reassign again.");
    }

    private async Task<Result<T>> SaveAsync<T>(T entity, string conflict, CancellationToken cancellationToken) where T : class
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return entity;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // A unique index lost a race with another request; nothing was saved.
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, conflict);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
