namespace GovernancePortal.Audit;

public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>A signed checkpoint is made at every multiple of this many events.</summary>
    public int CheckpointInterval { get; set; } = 1000;

    /// <summary>With fewer events than the interval, a checkpoint is still made when the last one is older than this.</summary>
    public TimeSpan MaxCheckpointAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The checkpoint signing key (ECDSA P-256) as PEM, e.g. from a secret store.</summary>
    public string? CheckpointKeyPem { get; set; }

    /// <summary>Or a path to a PEM file holding it. In Development, one is created under App_Data when neither is set.</summary>
    public string? CheckpointKeyFile { get; set; }
}
