using GovernancePortal.Approvals;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Notifications;

/// <summary>The demo portal sending e-mail to an in-process SMTP server, on the test's clock, with three attempts per message.</summary>
public class MailPortal(TestDatabase database, TestSmtpServer smtp) : PortalFactory(database)
{
    public MailPortal(TestDatabase database) : this(database, new TestSmtpServer())
    {
    }

    public const string BaseUrl = "https://portal.example.test";
    public const int MaxAttempts = 3;

    public TestClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    public TestSmtpServer Smtp { get; } = smtp;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Notifications:BaseUrl", BaseUrl);
        builder.UseSetting("Notifications:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Notifications:Smtp:Port", Smtp.Port.ToString());
        builder.UseSetting("Notifications:Smtp:Security", "None");
        builder.UseSetting("Notifications:Smtp:From", "Governance Portal <portal@example.test>");
        builder.UseSetting("Notifications:Delivery:MaxAttempts", MaxAttempts.ToString());
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>One run of the delivery job, as Hangfire would start it.</summary>
    public async Task<DeliveryRun> DeliverAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().DeliverDueAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class SqliteMailPortal() : MailPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlMailPortal() : MailPortal(TestDatabase.PostgreSql);
