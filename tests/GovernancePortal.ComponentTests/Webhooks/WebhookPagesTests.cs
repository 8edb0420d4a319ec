using System.Security.Claims;
using Bunit;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Webhooks;

/// <summary>The Admin's webhook pages over the real services: errors at the field, the secret shown once, confirmed rotation and deletion, redelivery.</summary>
public sealed class WebhookPagesTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly Persona Admin = DemoPersonas.Find("admin@demo.test")!;
    private static readonly AuditActor AdminActor = new(Admin.ObjectId.ToString(), Admin.Username, [Admin.Role]);

    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    private void AddServices()
    {
        database.AddServices(Context.Services, TimeProvider.System);
        Context.Services.AddDataProtection();
        Context.Services.AddWebhooks();
        // The receivers named here exist nowhere; nothing is sent in these tests, and private networks spare the lookup.
        Context.Services.Configure<WebhookOptions>(o => o.AllowPrivateNetworks = true);
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(Admin.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, Admin.ObjectId.ToString()), new Claim(PortalClaims.Name, Admin.DisplayName),
            new Claim(PortalClaims.PreferredUsername, Admin.Username), new Claim(PortalClaims.Roles, Admin.Role));
        Context.Render<MudPopoverProvider>();
        _dialogs = Context.Render<MudDialogProvider>();
        Context.Render<MudSnackbarProvider>();
    }

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<WebhookCreated> SubscribeAsync(string url) => WithAsync(async sp =>
        (await sp.GetRequiredService<WebhookSubscriptions>().CreateAsync(url, ["model.registered"], "From the test", AdminActor)).Value!);

    private Task<List<AuditEvent>> AuditedAsync(string action, string entityId) => WithAsync(sp =>
        sp.GetRequiredService<GovernanceDbContext>().AuditEvents.AsNoTracking().Where(e => e.Action == action && e.EntityId == entityId).ToListAsync());

    [Fact]
    public async Task A_subscription_without_events_or_with_a_bad_url_is_refused_at_the_fields_and_nothing_is_saved()
    {
        AddServices();
        var before = await WithAsync(sp => sp.GetRequiredService<GovernanceDbContext>().Set<WebhookSubscription>().CountAsync());
        var page = Render<WebhooksPage>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=webhook-url] input")));

        page.Find("[data-testid=webhook-url] input").Change("ftp://hooks.example.test/x");
        await page.InvokeAsync(() => page.Find("form").Submit());

        await page.WaitForAssertionAsync(() => Assert.Contains("Only http and https", page.Markup));
        Assert.Contains("Choose at least one event type", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=new-secret]"));
        Assert.Equal(before, await WithAsync(sp => sp.GetRequiredService<GovernanceDbContext>().Set<WebhookSubscription>().CountAsync()));
    }

    [Fact]
    public async Task Rotating_shows_the_new_secret_once_and_deleting_asks_first_both_audited()
    {
        AddServices();
        var created = await SubscribeAsync("https://hooks.example.test/rotate-" + Guid.NewGuid().ToString("N"));
        var page = Render<WebhooksPage>();
        var row = () => page.FindAll("[data-testid=webhook]").Single(r => r.GetAttribute("data-webhook") == created.Id.ToString());
        await page.WaitForAssertionAsync(() => Assert.Contains("model.registered", row().TextContent));
        Assert.DoesNotContain(created.Secret, page.Markup);

        await page.InvokeAsync(() => row().QuerySelector("[data-testid=rotate]")!.Click());
        await page.WaitForAssertionAsync(() => Assert.NotEmpty(_dialogs.FindComponents<ConfirmWebhookDialog>()));
        var dialog = _dialogs.FindComponents<ConfirmWebhookDialog>().Single();
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=confirm-webhook-button]").Click());

        await page.WaitForAssertionAsync(() => Assert.StartsWith("whsec_", page.Find("[data-testid=secret-value] input").GetAttribute("value")));
        var secret = page.Find("[data-testid=secret-value] input").GetAttribute("value")!;
        Assert.NotEqual(created.Secret, secret);
        Assert.Equal(Admin.Username, Assert.Single(await AuditedAsync(WebhookSubscriptions.RotatedAction, created.Id.ToString())).ActorUsername);

        // Cancelled: nothing happens.
        await page.InvokeAsync(() => row().QuerySelector("[data-testid=delete]")!.Click());
        await page.WaitForAssertionAsync(() => Assert.NotEmpty(_dialogs.FindComponents<ConfirmWebhookDialog>()));
        await page.InvokeAsync(() => _dialogs.FindComponents<ConfirmWebhookDialog>().Single().Find("[data-testid=cancel-webhook]").Click());
        await page.WaitForAssertionAsync(() => Assert.Empty(_dialogs.FindComponents<ConfirmWebhookDialog>()));
        Assert.Empty(await AuditedAsync(WebhookSubscriptions.DeletedAction, created.Id.ToString()));

        await page.InvokeAsync(() => row().QuerySelector("[data-testid=delete]")!.Click());
        await page.WaitForAssertionAsync(() => Assert.NotEmpty(_dialogs.FindComponents<ConfirmWebhookDialog>()));
        await page.InvokeAsync(() => _dialogs.FindComponents<ConfirmWebhookDialog>().Single().Find("[data-testid=confirm-webhook-button]").Click());
        await page.WaitForAssertionAsync(() => Assert.DoesNotContain(page.FindAll("[data-testid=webhook]"), r => r.GetAttribute("data-webhook") == created.Id.ToString()));
        Assert.Single(await AuditedAsync(WebhookSubscriptions.DeletedAction, created.Id.ToString()));
    }

    [Fact]
    public async Task The_delivery_log_lists_attempts_and_a_redelivery_is_audited()
    {
        AddServices();
        var created = await SubscribeAsync("https://hooks.example.test/log-" + Guid.NewGuid().ToString("N"));
        var deliveryId = await WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<GovernanceDbContext>();
            var now = DateTimeOffset.UtcNow;
            var delivery = new WebhookDelivery
            {
                SubscriptionId = created.Id, AuditSequence = 424242, EventType = "model.registered", Body = "{}", CreatedAt = now,
                State = WebhookDeliveryState.DeadLettered, Attempts = 6, NextAttemptAt = now, LastAttemptAt = now, LastStatusCode = 502, LastError = "The receiver answered 502 Bad Gateway.",
            };
            db.Set<WebhookDelivery>().Add(delivery);
            db.Set<Notifications.DeliveryAttempt>().AddRange(
                new Notifications.DeliveryAttempt { DeliveryId = delivery.Id, Channel = "webhook", Number = 1, At = now.AddMinutes(-1), Outcome = Notifications.DeliveryAttemptOutcome.Failed, StatusCode = 500, Error = "The receiver answered 500 Internal Server Error.", DurationMilliseconds = 41 },
                new Notifications.DeliveryAttempt { DeliveryId = delivery.Id, Channel = "webhook", Number = 2, At = now, Outcome = Notifications.DeliveryAttemptOutcome.DeadLettered, StatusCode = 502, Error = "The receiver answered 502 Bad Gateway.", DurationMilliseconds = 17 });
            await db.SaveChangesAsync();
            return delivery.Id;
        });
        var page = Render<WebhookPage>(new() { ["Id"] = created.Id });

        await page.WaitForAssertionAsync(() => Assert.Contains("502 Bad Gateway", page.Find("[data-testid=delivery]").TextContent));
        Assert.Equal("dead-lettered", page.Find("[data-testid=delivery]").GetAttribute("data-status"));
        var attempts = page.FindAll("[data-testid=attempt]");
        Assert.Equal(["failed", "dead-lettered"], attempts.Select(a => a.GetAttribute("data-outcome")));
        Assert.Contains("#1", attempts[0].TextContent);
        Assert.Contains("500", attempts[0].TextContent);
        Assert.Contains("41 ms", attempts[0].TextContent);
        Assert.Equal("The receiver answered 500 Internal Server Error.", attempts[0].GetAttribute("title"));
        Assert.Contains("502", attempts[1].TextContent);
        await page.InvokeAsync(() => page.Find("[data-testid=redeliver]").Click());

        await page.WaitForAssertionAsync(() => Assert.Equal("pending", page.Find("[data-testid=delivery]").GetAttribute("data-status")));
        Assert.Equal(Admin.Username, Assert.Single(await AuditedAsync(WebhookSubscriptions.RedeliveryAction, deliveryId.ToString())).ActorUsername);

        var missing = Render<WebhookPage>(new() { ["Id"] = Guid.NewGuid() });
        await missing.WaitForAssertionAsync(() => Assert.Contains("no such subscription", missing.Find("[data-testid=webhook-missing]").TextContent));
    }
}
