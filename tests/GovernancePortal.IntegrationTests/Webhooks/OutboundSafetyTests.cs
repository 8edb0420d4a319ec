using System.Diagnostics;
using System.Net;
using GovernancePortal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Webhooks;

/// <summary>
/// The outbound rules over real HTTP to a receiver on loopback: refused unless private networks are allowed, whether the
/// address is written out or a name resolves to it; connections go to the address checked; no redirects; a time limit.
/// </summary>
public sealed class OutboundSafetyTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static WebhookSender Sender(bool allowPrivate, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null, TimeSpan? timeout = null)
    {
        var options = Options.Create(new WebhookOptions { AllowPrivateNetworks = allowPrivate, Timeout = timeout ?? TimeSpan.FromSeconds(5) });
        return resolve is null ? new WebhookSender(options) : new WebhookSender(options, resolve);
    }

    private static Task<SendOutcome> PostAsync(WebhookSender sender, string url) =>
        sender.SendAsync(new Uri(url), "msg_test", 1_700_000_000, "v1,AAAA", "{}", CancellationToken.None);

    private static Func<string, CancellationToken, Task<IPAddress[]>> Resolving(string host, params IPAddress[] addresses) =>
        (name, _) => Task.FromResult(name == host ? addresses : throw new InvalidOperationException($"Only {host} resolves here, not {name}."));

    [Fact]
    public async Task A_loopback_receiver_is_refused_unless_private_networks_are_allowed()
    {
        using (var strict = Sender(allowPrivate: false))
        {
            var refused = await PostAsync(strict, _receiver.BaseUrl + "/strict");
            Assert.False(refused.Delivered);
            Assert.Null(refused.StatusCode);
            Assert.Contains("private", refused.Error);
            var byName = await PostAsync(strict, _receiver.BaseUrl.Replace("127.0.0.1", "localhost") + "/strict");
            Assert.Contains("private", byName.Error);
        }
        Assert.Empty(_receiver.At("/strict"));

        using var lax = Sender(allowPrivate: true);
        Assert.Equal(200, (await PostAsync(lax, _receiver.BaseUrl + "/lax")).StatusCode);
        Assert.Single(_receiver.At("/lax"));
    }

    [Fact]
    public async Task A_name_is_resolved_once_and_the_connection_goes_to_the_address_checked()
    {
        var port = new Uri(_receiver.BaseUrl).Port;
        var lookups = 0;
        Func<string, CancellationToken, Task<IPAddress[]>> resolve = (name, token) =>
        {
            Interlocked.Increment(ref lookups);
            return Resolving("hooks.example.test", IPAddress.Loopback)(name, token);
        };

        using (var strict = Sender(allowPrivate: false, resolve))
        {
            Assert.Contains("private", (await PostAsync(strict, $"http://hooks.example.test:{port}/pinned")).Error);
        }
        Assert.Empty(_receiver.At("/pinned"));

        // The name exists nowhere but in the test's resolver: reaching the receiver shows the connection used that answer.
        using var lax = Sender(allowPrivate: true, resolve);
        Assert.Equal(200, (await PostAsync(lax, $"http://hooks.example.test:{port}/pinned")).StatusCode);
        Assert.Single(_receiver.At("/pinned"));
        Assert.Equal(2, lookups);

        // One refused address among public ones refuses the name.
        using var mixed = Sender(allowPrivate: false, Resolving("hooks.example.test", IPAddress.Parse("93.184.216.34"), IPAddress.Loopback));
        Assert.Contains("private", (await PostAsync(mixed, $"http://hooks.example.test:{port}/pinned")).Error);
        Assert.Single(_receiver.At("/pinned"));
    }

    [Fact]
    public async Task Redirects_are_not_followed_and_a_silent_receiver_is_given_up_on_at_the_time_limit()
    {
        using var sender = Sender(allowPrivate: true, timeout: TimeSpan.FromMilliseconds(500));
        _receiver.Answer("/moved", 307);
        var moved = await PostAsync(sender, _receiver.BaseUrl + "/moved");
        Assert.Equal((307, false, false), (moved.StatusCode, moved.Delivered, moved.Retryable));
        Assert.Empty(_receiver.At("/redirected"));

        _receiver.Answer("/silent", WebhookReceiver.Hang);
        var watch = Stopwatch.StartNew();
        var silent = await PostAsync(sender, _receiver.BaseUrl + "/silent");
        Assert.Null(silent.StatusCode);
        Assert.True(silent.Retryable);
        Assert.Contains("No answer within", silent.Error);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
    }
}

/// <summary>Creating a subscription refuses addresses the job would refuse, as the portal runs outside development.</summary>
public abstract class SubscriptionAddressTests(PortalFactory portal)
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hooks")]
    [InlineData("http://localhost/hooks")]
    [InlineData("http://[::1]/hooks")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://192.168.0.10/hooks")]
    [InlineData("http://[::ffff:172.16.0.1]/hooks")]
    public async Task A_private_address_is_refused_at_the_url_and_nothing_is_saved(string url)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var strict = ActivatorUtilities.CreateInstance<WebhookSubscriptions>(scope.ServiceProvider, Options.Create(new WebhookOptions()));
        var outcome = await strict.CreateAsync(url, ["*"], null, new Audit.AuditActor(Guid.NewGuid().ToString(), "admin@demo.test", ["Admin"]));
        Assert.Contains("private network", Assert.Single(outcome.Errors!["url"]));
        Assert.DoesNotContain(await portal.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Set<WebhookSubscription>())), s => s.Url.StartsWith(url, StringComparison.OrdinalIgnoreCase));
    }
}

public sealed class SubscriptionAddressTestsOnSqlite(SqlitePortal portal) : SubscriptionAddressTests(portal), IClassFixture<SqlitePortal>;
