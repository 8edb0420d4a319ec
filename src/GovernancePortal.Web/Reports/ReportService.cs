using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using GovernancePortal.Reports.Documents;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Reports;

/// <summary>What a report is asked for with; which members matter depends on the kind.</summary>
public sealed record ReportRequest(ReportKind? Kind, string? Model = null, string? Version = null, DateTimeOffset? AsOf = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record ReportResult(Report? Report, Failure? Failure);

/// <summary>
/// Requests, generates, stores and hands out reports (ADR-027). The dossier and Annex IV are printed while the caller
/// waits; portfolio and audit trail reports are queued for the background job. A printed file is stored with its SHA-256
/// and its <c>report.generated</c> event in one transaction.
/// </summary>
public sealed class ReportService(GovernanceDbContext db, ReportSources sources, ReportHtml html, PdfPrinter printer,
    IAuthorizationService authorization, IBackgroundJobClient jobs, TimeProvider clock, ILogger<ReportService> logger)
{
    public const string Generated = "report.generated";
    public const string Requested = "report.requested";
    public const string Failed = "report.failed";
    public const string Downloaded = "report.downloaded";
    public const string Requeued = "report.requeued";
    public static readonly TimeSpan MaxAuditPeriod = TimeSpan.FromDays(366);

    public static bool RunsInBackground(ReportKind kind) => kind is ReportKind.Portfolio or ReportKind.AuditTrail;

    /// <summary>Dossier, Annex IV and portfolio: anyone who can read the registry; the audit trail report: auditors and compliance officers.</summary>
    public async Task<bool> MayReadAsync(ClaimsPrincipal user, ReportKind kind) =>
        (await authorization.AuthorizeAsync(user, kind == ReportKind.AuditTrail ? Policies.AuditReader : Policies.Reader)).Succeeded;

    public async Task<ReportResult> RequestAsync(ClaimsPrincipal user, ReportRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            return Invalid("kind", "Name the report: versionDossier, annexIv, portfolio or auditTrail.");
        }
        if (!await MayReadAsync(user, kind))
        {
            return new ReportResult(null, new Failure(FailureKind.Forbidden, $"Your roles do not allow the {ReportTitles.Of(kind).ToLowerInvariant()}."));
        }
        var now = clock.GetUtcNow();
        string subject;
        object parameters;
        switch (kind)
        {
            case ReportKind.VersionDossier or ReportKind.AnnexIv:
                if (string.IsNullOrWhiteSpace(request.Model) || string.IsNullOrWhiteSpace(request.Version))
                {
                    return Invalid(string.IsNullOrWhiteSpace(request.Model) ? "model" : "version", "Name the model and the version.");
                }
                var version = await RegistryQueries.FindVersionAsync(db, request.Model, request.Version, cancellationToken);
                if (version is null)
                {
                    return new ReportResult(null, new Failure(FailureKind.NotFound, $"Model '{request.Model}' has no version '{request.Version}'."));
                }
                if (kind == ReportKind.AnnexIv && version.Model.RiskTier != RiskTier.High)
                {
                    return Invalid("model", $"Annex IV technical documentation is for High-risk models; {version.Model.Key} is {version.Model.RiskTier}.");
                }
                subject = $"{version.Model.Key} {version.Number}";
                parameters = new { model = version.Model.Key, version = version.Number.ToString() };
                break;
            case ReportKind.Portfolio:
                var asOf = request.AsOf ?? now;
                if (asOf > now)
                {
                    return Invalid("asOf", "The portfolio can be reported as of now or an earlier moment, not a future one.");
                }
                subject = $"Production as of {PrintTemplates.UtcMinute(asOf)}";
                parameters = new { asOf };
                break;
            default:
                var to = request.To ?? now;
                var from = request.From ?? to.AddDays(-30);
                if (from >= to)
                {
                    return Invalid("from", "The period must start before it ends.");
                }
                if (to - from > MaxAuditPeriod)
                {
                    return Invalid("to", "An audit trail report covers at most 366 days; ask for several.");
                }
                subject = $"Events {from.UtcDateTime:yyyy-MM-dd HH:mm} to {PrintTemplates.UtcMinute(to)}";
                parameters = new { from, to };
                break;
        }
        var actor = HttpAuditContextAccessor.ActorOf(user);
        var report = new Report
        {
            Kind = kind,
            Subject = subject,
            Parameters = JsonSerializer.Serialize(parameters, Api.ApiJson.Options),
            Status = RunsInBackground(kind) ? ReportStatus.Queued : ReportStatus.Running,
            RequestedBy = actor.Username,
            RequestedAt = now,
        };
        if (!RunsInBackground(kind))
        {
            try
            {
                await GenerateAsync(report, isNew: true, actor, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Nothing was stored: the file and its event are saved together or not at all.
                logger.LogError(ex, "The {Kind} of {Subject} could not be printed.", kind, subject);
                db.ChangeTracker.Clear();
                return new ReportResult(null, new Failure(FailureKind.Unavailable, $"The report could not be printed just now ({ex.Message}). Try again in a moment."));
            }
            return new ReportResult(report, null);
        }
        db.Reports.Add(report);
        db.Audit.Record(Requested, nameof(Report), report.Id.ToString(), new { reportId = report.Id, kind = Name(kind), subject }, actor);
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue<ReportJob>(job => job.RunOneAsync(report.Id, CancellationToken.None));
        return new ReportResult(report, null);
    }

    /// <summary>Generates a queued report, unless another run has claimed it. Returns false when there was nothing to do.</summary>
    public async Task<bool> RunQueuedAsync(Guid id, CancellationToken cancellationToken)
    {
        // The claim is a guarded transition: of two instances (or a job and its catch-up sweep) only one moves it.
        var claimed = await db.Reports.Where(r => r.Id == id && r.Status == ReportStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReportStatus.Running).SetProperty(r => r.Progress, 1), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }
        var report = await db.Reports.AsNoTracking().SingleAsync(r => r.Id == id, cancellationToken);
        try
        {
            await GenerateAsync(report, isNew: false, actor: null, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Report {ReportId} failed.", id);
            db.ChangeTracker.Clear();
            var reason = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            await SettleAsync(id, ReportStatus.Running, s => s.SetProperty(r => r.Status, ReportStatus.Failed).SetProperty(r => r.Failure, reason),
                () => db.Audit.Record(Failed, nameof(Report), id.ToString(), new { reportId = id, kind = Name(report.Kind), report.Subject, reason }),
                cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Reports left <c>Running</c> by an instance that stopped while printing them (requested before <paramref name="before"/>,
    /// which the job sets to this instance's start less twice the print timeout): queued again, or failed with the reason when
    /// they were interrupted once before. Each outcome is audited. Instances sharing the database may all do this at once:
    /// each report is taken back by one of them (<see cref="TakeBackAsync"/>).
    /// </summary>
    public async Task<int> RecoverInterruptedAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var stuck = await db.Reports.AsNoTracking().Where(r => r.Status == ReportStatus.Running && r.RequestedAt < before)
            .Select(r => new { r.Id, r.Kind, r.Subject }).ToListAsync(cancellationToken);
        var taken = 0;
        foreach (var report in stuck)
        {
            var id = report.Id.ToString();
            var requeues = await RequeuesAsync(id, cancellationToken);
            if (await TakeBackAsync(report.Id, report.Kind, report.Subject, requeues, cancellationToken))
            {
                taken++;
            }
        }
        if (taken > 0)
        {
            logger.LogWarning("{Count} report(s) left running by a stopped instance were queued again or failed.", taken);
        }
        return taken;
    }

    /// <summary>
    /// Moves one report left running back to Queued (or to Failed when it was queued again before), audited in the same
    /// transaction, and says whether this caller did it. The move is guarded on Running, so of several instances taking it
    /// back at once one moves it and the others leave it. The guard alone cannot tell the report it judged stuck from one
    /// another instance has meanwhile queued again and claimed anew (running again, and alive): that one's re-queue event is
    /// read after the move holds the row, and when there is one more than when it was judged, the move is undone.
    /// </summary>
    public async Task<bool> TakeBackAsync(Guid reportId, ReportKind kind, string subject, int requeuesWhenJudged, CancellationToken cancellationToken)
    {
        var id = reportId.ToString();
        const string twice = "The instance printing it stopped twice before it was ready; request the report again.";
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moved = requeuesWhenJudged > 0
            ? await db.Reports.Where(r => r.Id == reportId && r.Status == ReportStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReportStatus.Failed).SetProperty(r => r.Failure, twice), cancellationToken)
            : await db.Reports.Where(r => r.Id == reportId && r.Status == ReportStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReportStatus.Queued).SetProperty(r => r.Progress, 0), cancellationToken);
        if (moved == 0 || await RequeuesAsync(id, cancellationToken) != requeuesWhenJudged)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        if (requeuesWhenJudged > 0)
        {
            db.Audit.Record(Failed, nameof(Report), id, new { reportId, kind = Name(kind), subject, reason = twice });
        }
        else
        {
            db.Audit.Record(Requeued, nameof(Report), id, new { reportId, kind = Name(kind), subject, reason = "The instance printing it stopped before it was ready." });
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>How often the report was queued again after an instance stopped while printing it.</summary>
    public Task<int> RequeuesAsync(string reportId, CancellationToken cancellationToken) =>
        db.AuditEvents.AsNoTracking().CountAsync(e => e.Action == Requeued && e.EntityId == reportId, cancellationToken);

    /// <summary>
    /// Settles a background report: the guarded update and whatever <paramref name="record"/> adds (its file, its event)
    /// commit together, or, when the report is no longer in one of the states it may be settled from (another run settled it,
    /// or an instance starting took it back and failed it), nothing is written and false is returned.
    /// </summary>
    private async Task<bool> SettleAsync(Guid id, ReportStatus from,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Report>> update, Action record, CancellationToken cancellationToken,
        ReportStatus? orFrom = null)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var other = orFrom ?? from;
        var moved = await db.Reports.Where(r => r.Id == id && (r.Status == from || r.Status == other)).ExecuteUpdateAsync(update, cancellationToken);
        if (moved == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            logger.LogInformation("Report {ReportId} was settled or taken back by another run; this run's outcome is dropped.", id);
            return false;
        }
        record();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<Guid>> QueuedAsync(CancellationToken cancellationToken) =>
        await db.Reports.AsNoTracking().Where(r => r.Status == ReportStatus.Queued).OrderBy(r => r.RequestedAt).Select(r => r.Id).ToListAsync(cancellationToken);

    private async Task GenerateAsync(Report report, bool isNew, AuditActor? actor, CancellationToken cancellationToken)
    {
        var generatedAt = clock.GetUtcNow();
        var (headSequence, headHash) = await sources.AuditHeadAsync(cancellationToken);
        var heading = new ReportHeading(report.Id, report.Kind, ReportTitles.Of(report.Kind), report.Subject, generatedAt, report.RequestedBy,
            headSequence, headHash);
        var parameters = JsonDocument.Parse(report.Parameters).RootElement;
        Func<int, Task> progress = isNew ? _ => Task.CompletedTask : percent => SetProgressAsync(report.Id, percent, cancellationToken);
        var document = await RenderAsync(heading, parameters, progress, cancellationToken);
        await progress(85);
        var pdf = await printer.PrintAsync(document, new PrintFrame(heading.Title, heading.Subject, generatedAt, heading.GeneratedBy, heading.Id), cancellationToken);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(pdf));

        report.Status = ReportStatus.Ready;
        report.Progress = 100;
        report.GeneratedAt = generatedAt;
        report.Sha256 = sha256;
        report.AuditHeadSequence = headSequence;
        report.AuditHeadHash = headHash;
        void Store()
        {
            db.ReportFiles.Add(new ReportFile { ReportId = report.Id, Content = pdf, Sha256 = sha256 });
            // Not the file itself: the event names its hash, and the hash is what verification compares.
            db.Audit.Record(Generated, nameof(Report), report.Id.ToString(), new
            {
                reportId = report.Id,
                kind = Name(report.Kind),
                subject = report.Subject,
                sha256,
                auditHeadSequence = headSequence,
                auditHeadHash = headHash,
                generatedBy = report.RequestedBy,
            }, actor);
        }
        if (isNew)
        {
            db.Reports.Add(report);
            Store();
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        // Still ours (running), or taken back by an instance that judged this one stopped and not yet claimed again: the
        // first run to finish stores the file; a later one finds it ready and drops its own.
        await SettleAsync(report.Id, ReportStatus.Running, s => s.SetProperty(r => r.Status, ReportStatus.Ready).SetProperty(r => r.Progress, 100)
                .SetProperty(r => r.GeneratedAt, generatedAt).SetProperty(r => r.Sha256, sha256)
                .SetProperty(r => r.AuditHeadSequence, headSequence).SetProperty(r => r.AuditHeadHash, headHash),
            Store, cancellationToken, orFrom: ReportStatus.Queued);
    }

    private async Task<string> RenderAsync(ReportHeading heading, JsonElement parameters, Func<int, Task> progress, CancellationToken cancellationToken)
    {
        switch (heading.Kind)
        {
            case ReportKind.VersionDossier or ReportKind.AnnexIv:
                var data = await sources.DossierAsync(parameters.GetProperty("model").GetString()!, parameters.GetProperty("version").GetString()!,
                    heading.AuditHeadSequence, cancellationToken) ?? throw new InvalidOperationException("The version is no longer in the registry.");
                return heading.Kind == ReportKind.VersionDossier
                    ? await html.RenderAsync<VersionDossier>(new() { ["Heading"] = heading, ["Data"] = data })
                    : await html.RenderAsync<AnnexIvDocumentation>(new() { ["Heading"] = heading, ["Data"] = data,
                        ["History"] = await sources.VersionsOfAsync(data.Version.ModelId, cancellationToken) });
            case ReportKind.Portfolio:
                var portfolio = await sources.PortfolioAsync(parameters.GetProperty("asOf").GetDateTimeOffset(), heading.AuditHeadSequence, progress, cancellationToken);
                return await html.RenderAsync<PortfolioReport>(new() { ["Heading"] = heading, ["Data"] = portfolio });
            default:
                var trail = await sources.AuditTrailAsync(parameters.GetProperty("from").GetDateTimeOffset(), parameters.GetProperty("to").GetDateTimeOffset(),
                    heading.AuditHeadSequence, progress, cancellationToken);
                return await html.RenderAsync<AuditTrailReport>(new() { ["Heading"] = heading, ["Data"] = trail });
        }
    }

    private async Task SetProgressAsync(Guid id, int percent, CancellationToken cancellationToken) =>
        await db.Reports.Where(r => r.Id == id && r.Status == ReportStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Progress, percent), cancellationToken);

    public async Task<Report?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);

    /// <summary>Earlier reports the caller may read, newest first.</summary>
    public async Task<IReadOnlyList<Report>> ListAsync(ClaimsPrincipal user, ReportKind? kind, string? subject, int take, CancellationToken cancellationToken)
    {
        var query = db.Reports.AsNoTracking();
        if (!await MayReadAsync(user, ReportKind.AuditTrail))
        {
            query = query.Where(r => r.Kind != ReportKind.AuditTrail);
        }
        if (kind is { } only)
        {
            query = query.Where(r => r.Kind == only);
        }
        if (!string.IsNullOrWhiteSpace(subject))
        {
            query = query.Where(r => r.Subject.Contains(subject));
        }
        return await query.OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>The stored file, with a <c>report.downloaded</c> event; null when the report has none (yet).</summary>
    public async Task<byte[]?> DownloadAsync(ClaimsPrincipal user, Report report, CancellationToken cancellationToken)
    {
        var file = await db.ReportFiles.AsNoTracking().SingleOrDefaultAsync(f => f.ReportId == report.Id, cancellationToken);
        if (file is null)
        {
            return null;
        }
        db.Audit.Record(Downloaded, nameof(Report), report.Id.ToString(), new { reportId = report.Id, kind = Name(report.Kind), sha256 = file.Sha256 },
            HttpAuditContextAccessor.ActorOf(user));
        await db.SaveChangesAsync(cancellationToken);
        return file.Content;
    }

    public static string Name(ReportKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    public static string FileName(Report report) => $"{Name(report.Kind)}-{report.Id:D}.pdf";

    private static ReportResult Invalid(string field, string message) =>
        new(null, new Failure(FailureKind.Invalid, message, new Dictionary<string, string[]> { [field] = [message] }));
}
