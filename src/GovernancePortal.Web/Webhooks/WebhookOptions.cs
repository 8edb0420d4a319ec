namespace GovernancePortal.Webhooks;

/// <summary>The <c>Notifications:Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Notifications:Webhooks";

    /// <summary>Lets subscriptions reach loopback, link-local and private addresses: for development and tests only.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Attempts per delivery before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait after the first failed attempt, doubled after each further one.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Dead-lettered deliveries in a row (none arriving between) after which the subscription is disabled.</summary>
    public int DisableAfterDeadLetters { get; set; } = 3;

    /// <summary>How long one attempt may take, connecting included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the secret before a rotation still signs deliveries.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Audit events read, and deliveries attempted, per run of the job.</summary>
    public int BatchSize { get; set; } = 200;
}
