using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Audit;

public sealed record ProofOutcome(InclusionProofDocument? Proof, string? Problem);

public sealed record ConsistencyOutcome(ConsistencyProofDocument? Proof, int Status, string? Problem);

/// <summary>
/// Verifies the audit log, whole or from the checkpoint the latest valid verification reached (ADR-025), and produces
/// inclusion and consistency proofs.
/// </summary>
public sealed class AuditVerificationService(
    GovernanceDbContext db, CheckpointKey key, AuditWitness witness, IOptions<AuditOptions> options, TimeProvider clock,
    Notifications.AuditAlertNotifications? alertNotifications = null)
{
    /// <summary>Verifies every event.</summary>
    public Task<AuditVerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => VerifyAsync(full: true, cancellationToken);

    /// <summary>
    /// Verifies every event, or with <paramref name="full"/> false only those after the checkpoint the latest valid
    /// verification reached (the whole log when there is none, or it was signed before checkpoints kept their frontier).
    /// </summary>
    public async Task<AuditVerificationResult> VerifyAsync(bool full, CancellationToken cancellationToken = default)
    {
        // The witness before the snapshot: checkpoints reach it only after they are committed, so it never runs ahead.
        var witnessed = witness.Read();
        await using var snapshot = await AuditSnapshot.BeginAsync(db, cancellationToken);
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(cancellationToken);
        var checkpoints = await AuditSnapshot.CheckpointsAsync(db, cancellationToken);
        var start = full ? null : await AuditSnapshot.StartAsync(db, await LastVerifiedCheckpointAsync(cancellationToken), cancellationToken);
        var verificationOptions = AuditSnapshot.VerificationOptions(db, options.Value.Policy, witnessed, start);
        return await Task.Run(() =>
            AuditSnapshot.Verify(db, checkpoints, head.Sequence, head.Hash, key.Key, verificationOptions), cancellationToken);
    }

    /// <summary>The checkpoint the latest valid verification reached.</summary>
    public Task<long?> LastVerifiedCheckpointAsync(CancellationToken cancellationToken = default) =>
        db.AuditVerifications.AsNoTracking().Where(v => v.Valid && v.LatestCheckpoint != null).OrderByDescending(v => v.Id)
            .Select(v => v.LatestCheckpoint).FirstOrDefaultAsync(cancellationToken);

    /// <summary>A full verification, recorded as asked from <paramref name="trigger"/>.</summary>
    public Task<AuditVerificationResult> VerifyAndRecordAsync(CancellationToken cancellationToken = default) =>
        VerifyAndRecordAsync(full: true, "portal", cancellationToken);

    /// <summary>
    /// Verifies, records what was covered (<see cref="AuditVerification"/>), and on failure raises an alert unless the same
    /// fault is already open. Both outcomes are audited, as <paramref name="actor"/> when given (an interactive page has no request to name it).
    /// </summary>
    public async Task<AuditVerificationResult> VerifyAndRecordAsync(bool full, string trigger, CancellationToken cancellationToken = default, AuditActor? actor = null)
    {
        var startedAt = clock.GetUtcNow();
        var result = await VerifyAsync(full, cancellationToken);
        db.AuditVerifications.Add(new AuditVerification
        {
            StartedAt = startedAt,
            FinishedAt = clock.GetUtcNow(),
            Full = !result.Incremental,
            FromSequence = result.FromSequence,
            ToSequence = result.HeadSequence,
            StartCheckpoint = result.Incremental ? result.FromSequence - 1 : null,
            LatestCheckpoint = result.LatestCheckpoint?.TreeSize,
            Valid = result.Valid,
            Fault = result.Fault?.ToString(),
            FirstInvalidSequence = result.FirstInvalidSequence,
            Reason = result.Reason.Length > 1000 ? result.Reason[..1000] : result.Reason,
            Trigger = trigger,
        });
        var details = new
        {
            result.Valid, full = !result.Incremental, from = result.FromSequence, result.EventCount, result.HeadSequence,
            result.FirstInvalidSequence, fault = result.Fault?.ToString(), result.Reason,
        };
        if (result.Valid)
        {
            db.Audit.Record("audit.verified", "AuditLog", "audit", details, actor);
        }
        else
        {
            var fault = result.Fault!.Value.ToString();
            var alreadyOpen = await db.AuditAlerts.AnyAsync(a => a.ResolvedAt == null && a.Fault == fault
                && a.FirstInvalidSequence == result.FirstInvalidSequence, cancellationToken);
            if (!alreadyOpen)
            {
                var alert = new AuditAlert
                {
                    RaisedAt = clock.GetUtcNow(),
                    Fault = fault,
                    FirstInvalidSequence = result.FirstInvalidSequence,
                    Reason = result.Reason,
                };
                // Told in the alert's transaction (in the inbox, by e-mail): Admins and Auditors, once per new fault.
                await (alertNotifications?.AlertRaisedAsync(alert, cancellationToken) ?? Task.CompletedTask);
                db.AuditAlerts.Add(alert);
                db.Audit.Record("audit.alert-raised", alert, actor: actor);
            }
            db.Audit.Record("audit.verification-failed", "AuditLog", "audit", details, actor);
        }
        await db.SaveChangesAsync(cancellationToken);
        return result;
    }

    /// <summary>An RFC 9162 consistency proof between the stored checkpoints of <paramref name="from"/> and <paramref name="to"/> events.</summary>
    public async Task<ConsistencyOutcome> ConsistencyAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        if (from < 1 || to < from)
        {
            return new(null, StatusCodes.Status400BadRequest, "Give two checkpoint sizes with 1 ≤ from ≤ to.");
        }
        await using var snapshot = await AuditSnapshot.BeginAsync(db, cancellationToken);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => c.TreeSize == from || c.TreeSize == to)
            .Select(c => new { c.TreeSize, c.RootHash, c.HeadHash, c.Timestamp, c.Signature, c.KeyId }).ToListAsync(cancellationToken);
        var older = checkpoints.SingleOrDefault(c => c.TreeSize == from);
        var newer = checkpoints.SingleOrDefault(c => c.TreeSize == to);
        if (older is null || newer is null)
        {
            return new(null, StatusCodes.Status404NotFound, $"There is no signed checkpoint of {(older is null ? from : to)} events.");
        }
        var leaves = new List<byte[]>(checked((int)to));
        leaves.AddRange(db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= to).OrderBy(e => e.Sequence)
            .Select(e => e.Hash).AsEnumerable().Select(MerkleTree.EventLeafHash));
        var path = MerkleTree.ConsistencyProof(leaves, checked((int)from));
        return new(new ConsistencyProofDocument(ConsistencyProofDocument.CurrentVersion,
            new CheckpointDocument(older.TreeSize, older.RootHash, older.HeadHash, older.Timestamp, older.Signature, older.KeyId, null),
            new CheckpointDocument(newer.TreeSize, newer.RootHash, newer.HeadHash, newer.Timestamp, newer.Signature, newer.KeyId, null),
            path.Select(Convert.ToHexStringLower).ToList()), StatusCodes.Status200OK, null);
    }

    public async Task<ProofOutcome> ProofAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await using var snapshot = await AuditSnapshot.BeginAsync(db, cancellationToken);
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);
        var stored = await db.AuditEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Sequence == sequence, cancellationToken);
        if (stored is null)
        {
            return new ProofOutcome(null, $"There is no audit event {sequence}.");
        }
        if (checkpoint is null || checkpoint.TreeSize < sequence)
        {
            return new ProofOutcome(null, $"Event {sequence} is not yet covered by a signed checkpoint; the next checkpoint will include it.");
        }
        var leaves = new List<byte[]>((int)checkpoint.TreeSize);
        leaves.AddRange(db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= checkpoint.TreeSize).OrderBy(e => e.Sequence)
            .Select(e => e.Hash).AsEnumerable().Select(MerkleTree.EventLeafHash));
        var path = MerkleTree.InclusionProof(leaves, (int)(sequence - 1));
        var proof = InclusionProofDocument.Create(new StoredAuditEvent(stored.ToRecord(), stored.PreviousHash, stored.Hash),
            checkpoint.ToSigned(), path, key.PublicKeyPem);
        return new ProofOutcome(proof, null);
    }
}
