namespace GovernancePortal.Notifications;

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>The <c>Notifications</c> section: where links point, the SMTP server, and how delivery retries.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>The portal's public address (e.g. <c>https://governance.example.org</c>); links in e-mails start with it.</summary>
    public string? BaseUrl { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    /// <summary>E-mail is on when an SMTP host is configured.</summary>
    public bool EmailEnabled => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Governance Portal <governance-portal@localhost>";

    /// <summary>
    /// The SHA-256 of the SMTP server's certificate (hex, colons and spaces allowed) for a server whose certificate the
    /// machine does not trust, e.g. one issued by a private CA or self-signed: that certificate, and only it, is accepted.
    /// Unset: the usual validation (a trusted chain, the host name) decides.
    /// </summary>
    public string? ServerCertificateThumbprint { get; set; }
}

public sealed class DeliveryOptions
{
    /// <summary>Attempts per message before it moves to the dead-letter list.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait after the first failure; each further failure doubles it (1, 2, 4, 8, 16 minutes by default).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Messages one run of the delivery job sends at most; the rest wait for the next run.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Attempts kept in the delivery log per e-mail or webhook delivery (the newest); older ones are deleted.</summary>
    public int AttemptsKeptPerDelivery { get; set; } = 20;
}
