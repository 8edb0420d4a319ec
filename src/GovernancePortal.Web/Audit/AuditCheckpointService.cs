using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Audit;

public sealed record CheckpointRun(IReadOnlyList<AuditCheckpoint> Created, AuditVerificationResult? RefusedBecause);

/// <summary>
/// Signs Merkle roots over the audit log: at every multiple of <c>Audit:Checkpoint:MaxEvents</c> and, when events have
/// arrived since, once the latest checkpoint is older than <c>Audit:Checkpoint:MaxAge</c>; then publishes them to the
/// witness. A log whose events since the latest checkpoint fail verification (a required checkpoint missing included) is
/// never signed; that part is verified against the latest checkpoint's signed root and stored frontier, so a cut reads
/// only the events it adds (ADR-025). Safe with several instances: a checkpoint's tree size is its key, so a second writer of the same one loses quietly.
/// </summary>
public sealed class AuditCheckpointService(
    GovernanceDbContext db, CheckpointKey key, AuditWitness witness, IOptions<AuditOptions> options, TimeProvider clock,
    ILogger<AuditCheckpointService> logger)
{
    public async Task<CheckpointRun> CreateDueAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        var pending = new List<AuditCheckpoint>();
        // The witness first: it may only hold checkpoints this snapshot holds too (they are published after commit).
        var witnessed = witness.Read();
        await using (await AuditSnapshot.BeginAsync(db, cancellationToken))
        {
            var head = await db.AuditHeads.AsNoTracking().SingleAsync(cancellationToken);
            var checkpoints = await AuditSnapshot.CheckpointsAsync(db, cancellationToken);
            var sizes = DueSizes(head.Sequence, checkpoints.LastOrDefault(), force);
            if (sizes.Count == 0)
            {
                await witness.PublishPendingAsync(db, [], cancellationToken);
                return new CheckpointRun([], null);
            }
            // A log with a required checkpoint missing is not signed again: that would cover up removed checkpoints.
            // Checkpoints signed before frontiers were kept are started over from the first event, once.
            var start = await AuditSnapshot.StartAsync(db, checkpoints.LastOrDefault()?.TreeSize, cancellationToken);
            var verificationOptions = AuditSnapshot.VerificationOptions(db, options.Value.Policy, witnessed, start);
            var verification = await Task.Run(() =>
                AuditSnapshot.Verify(db, checkpoints, head.Sequence, head.Hash, key.Key, verificationOptions), cancellationToken);
            if (!verification.Valid)
            {
                logger.LogError("Audit checkpoint refused: {Reason}", verification.Reason);
                return new CheckpointRun([], verification);
            }

            var tree = start is null ? new CompactMerkleTree() : CompactMerkleTree.FromFrontier(start.TreeSize, start.Frontier)!;
            var treeStart = tree.Size;
            var timestamp = AuditRecord.Normalize(clock.GetUtcNow());
            var next = 0;
            var largest = sizes[^1];
            // The hashes each new checkpoint adds, from the one before it, so that verification can name a rewritten event.
            var from = checkpoints.LastOrDefault()?.TreeSize ?? 0;
            var added = new List<byte>();
            foreach (var (sequence, hash) in db.AuditEvents.AsNoTracking().Where(e => e.Sequence > treeStart && e.Sequence <= largest)
                         .OrderBy(e => e.Sequence).Select(e => new ValueTuple<long, string>(e.Sequence, e.Hash)).AsEnumerable())
            {
                tree.Append(MerkleTree.EventLeafHash(hash));
                if (sequence > from)
                {
                    added.AddRange(Convert.FromHexString(hash));
                }
                if (sequence == sizes[next])
                {
                    var signed = CheckpointSigner.Sign(key.Key, sequence, Convert.ToHexStringLower(tree.Root()), hash, timestamp);
                    pending.Add(new AuditCheckpoint
                    {
                        TreeSize = signed.TreeSize,
                        RootHash = signed.RootHash,
                        HeadHash = signed.HeadHash,
                        Timestamp = signed.Timestamp,
                        Signature = signed.Signature,
                        KeyId = key.KeyId,
                        EventHashes = [.. added],
                        Frontier = tree.Frontier(),
                    });
                    added.Clear();
                    if (++next == sizes.Count)
                    {
                        break;
                    }
                }
            }
        }

        var created = new List<AuditCheckpoint>();
        foreach (var checkpoint in pending)
        {
            db.AuditCheckpoints.Add(checkpoint);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                created.Add(checkpoint);
            }
            catch (DbUpdateException)
            {
                db.Entry(checkpoint).State = EntityState.Detached;
                if (!await ExistsAsync(checkpoint.TreeSize, cancellationToken))
                {
                    throw;
                }
                // Another instance signed this tree size first.
            }
            db.Entry(checkpoint).State = EntityState.Detached;
        }
        if (created.Count > 0)
        {
            logger.LogInformation("Audit checkpoint(s) signed at tree size {Sizes}.", string.Join(", ", created.Select(c => c.TreeSize)));
        }
        await witness.PublishPendingAsync(db, created, cancellationToken);
        return new CheckpointRun(created, null);
    }

    private List<long> DueSizes(long head, SignedCheckpoint? last, bool force)
    {
        var interval = options.Value.Policy.MaxEvents;
        var lastSize = last?.TreeSize ?? 0;
        var sizes = new List<long>();
        for (var size = (lastSize / interval + 1) * interval; size <= head; size += interval)
        {
            sizes.Add(size);
        }
        var stale = last is null || clock.GetUtcNow() - last.Timestamp >= options.Value.Checkpoint.MaxAge;
        if (head > lastSize && (force || stale) && (sizes.Count == 0 || sizes[^1] != head))
        {
            sizes.Add(head);
        }
        return sizes;
    }

    private Task<bool> ExistsAsync(long treeSize, CancellationToken cancellationToken) =>
        db.AuditCheckpoints.AsNoTracking().AnyAsync(c => c.TreeSize == treeSize, cancellationToken);
}
