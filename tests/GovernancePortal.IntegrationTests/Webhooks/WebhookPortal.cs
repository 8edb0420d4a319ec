using GovernancePortal.Approvals;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Webhooks;

/// <summary>
/// The demo portal delivering webhooks to a receiver on loopback (so private networks are allowed here), on the test's
/// clock, with three attempts per delivery, subscriptions disabled after two dead letters in a row, and four attempts kept per delivery.
/// </summary>
public class WebhookPortal(TestDatabase database) : PortalFactory(database)
{
    public const int MaxAttempts = 3;
    public const int DisableAfterDeadLetters = 2;
    public const int AttemptsKept = 4;

    public TestClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    public WebhookReceiver Receiver { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Notifications:Webhooks:AllowPrivateNetworks", "true");
        builder.UseSetting("Notifications:Webhooks:MaxAttempts", MaxAttempts.ToString());
        builder.UseSetting("Notifications:Webhooks:DisableAfterDeadLetters", DisableAfterDeadLetters.ToString());
        builder.UseSetting("Notifications:Delivery:AttemptsKeptPerDelivery", AttemptsKept.ToString());
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>One run of the webhook job, as Hangfire would start it.</summary>
    public async Task<WebhookRun> RunAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WebhookDispatcher>().RunAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed class SqliteWebhookPortal() : WebhookPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlWebhookPortal() : WebhookPortal(TestDatabase.PostgreSql);
