namespace GovernancePortal.Audit;

public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>When checkpoints are cut, and therefore required by verification (<c>Audit:Checkpoint</c>).</summary>
    public CheckpointOptions Checkpoint { get; set; } = new();

    /// <summary>Where every signed checkpoint is published outside the database (<c>Audit:Witness</c>).</summary>
    public WitnessOptions Witness { get; set; } = new();

    /// <summary>How the daily verification job reads the log (<c>Audit:Verification</c>).</summary>
    public VerificationOptions Verification { get; set; } = new();

    /// <summary>The checkpoint signing key (ECDSA P-256) as PEM, e.g. from a secret store.</summary>
    public string? CheckpointKeyPem { get; set; }

    /// <summary>Or a path to a PEM file holding it. In Development, one is created under App_Data when neither is set.</summary>
    public string? CheckpointKeyFile { get; set; }

    public CheckpointPolicy Policy => new(Math.Max(1, Checkpoint.MaxEvents), Checkpoint.MaxAge);
}

public sealed class CheckpointOptions
{
    /// <summary>A signed checkpoint is made at every multiple of this many events.</summary>
    public int MaxEvents { get; set; } = 100;

    /// <summary>When events arrived since the last checkpoint, a new one is made once that one is this old.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class VerificationOptions
{
    /// <summary>
    /// The daily job verifies the events after the checkpoint the latest valid verification reached, and the whole log
    /// when no full verification succeeded for this long (history before that checkpoint is read only by full runs).
    /// </summary>
    public TimeSpan FullEvery { get; set; } = TimeSpan.FromDays(7);
}

public sealed class WitnessOptions
{
    /// <summary>
    /// An append-only directory (in production a WORM mount or an object-locked bucket mounted as a path): one file per
    /// checkpoint, created new and never overwritten.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Optionally, an HTTP endpoint each signed checkpoint is POSTed to as JSON.</summary>
    public Uri? Url { get; set; }
}
