using System.Security.Claims;
using Bunit;
using GovernancePortal.Components.Pages.Delivery;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Notifications;

/// <summary>The Admin's delivery page over real outbox rows: whether e-mail is on, the dead letters, and an audited retry.</summary>
public sealed class DeliveryPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly Persona Admin = DemoPersonas.Find("admin@demo.test")!;

    private bool _servicesAdded;

    private void AddServices(string? smtpHost = null)
    {
        if (_servicesAdded)
        {
            return;
        }
        database.AddServices(Context.Services, TimeProvider.System);
        Context.Services.Configure<NotificationOptions>(o => o.Smtp.Host = smtpHost);
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(Admin.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, Admin.ObjectId.ToString()), new Claim(PortalClaims.Name, Admin.DisplayName),
            new Claim(PortalClaims.PreferredUsername, Admin.Username), new Claim(PortalClaims.Roles, Admin.Role));
        _servicesAdded = true;
    }

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    private Task<Guid> AddDeadLetterAsync(string recipient) => DbAsync(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        var message = new OutboxMessage
        {
            IdempotencyKey = $"{Guid.NewGuid():N}/email/{recipient}", Channel = EmailChannel.Name, Recipient = recipient, Kind = "promotion.needs-approval",
            Title = "Approval needed: Churn 2.2.0 → Production", Body = "Please decide.", Link = "/approvals/1", CreatedAt = now.AddHours(-1),
            State = OutboxState.DeadLettered, Attempts = 6, NextAttemptAt = now, LastAttemptAt = now.AddMinutes(-5), LastError = "SmtpCommandException: 554 relay refused",
        };
        db.Outbox.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    });

    [Fact]
    public async Task Failed_attempts_are_listed_with_their_error_and_reply_code_whether_retried_or_given_up()
    {
        AddServices("smtp.example.test");
        var id = await AddDeadLetterAsync("auditor@demo.test");
        await DbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            db.Set<DeliveryAttempt>().AddRange(
                new DeliveryAttempt { DeliveryId = id, Channel = EmailChannel.Name, Number = 1, At = now.AddMinutes(-2), Outcome = DeliveryAttemptOutcome.Failed, Error = "SslHandshakeException: The SMTP server's certificate (SHA-256 AB12) is not the one pinned." },
                new DeliveryAttempt { DeliveryId = id, Channel = EmailChannel.Name, Number = 2, At = now.AddMinutes(-1), Outcome = DeliveryAttemptOutcome.DeadLettered, StatusCode = 554, Error = "SmtpCommandException: 554 relay refused" });
            return await db.SaveChangesAsync();
        });
        var page = Render<DeliveryPage>();

        await page.WaitForAssertionAsync(() => Assert.NotEmpty(page.FindAll("[data-testid=failed-attempt]")));
        var rows = page.FindAll("[data-testid=failed-attempt]").Where(r => r.TextContent.Contains("auditor@demo.test")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("554", rows[0].TextContent);
        Assert.Contains("gave up", rows[0].TextContent);
        Assert.Contains("SHA-256 AB12", rows[1].TextContent);
        Assert.Contains("later dead-lettered", rows[1].TextContent);
    }

    [Fact]
    public async Task Without_an_smtp_host_the_page_says_email_is_off()
    {
        AddServices();
        var page = Render<DeliveryPage>();

        await page.WaitForAssertionAsync(() => Assert.Contains("E-mail is off", page.Find("[data-testid=email-off]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=email-on]"));
    }

    [Fact]
    public async Task A_dead_letter_is_listed_and_a_retry_puts_it_back_in_line_audited()
    {
        AddServices("smtp.example.test");
        var id = await AddDeadLetterAsync("viewer@demo.test");
        Context.Render<MudSnackbarProvider>();
        var page = Render<DeliveryPage>();

        await page.WaitForAssertionAsync(() => Assert.Contains("smtp.example.test", page.Find("[data-testid=email-on]").TextContent));
        var row = page.FindAll("tr.dead-letter").Single(r => r.TextContent.Contains("viewer@demo.test"));
        Assert.Contains("554 relay refused", row.TextContent);

        await page.InvokeAsync(() => row.QuerySelector("[data-testid=retry]")!.Click());

        await page.WaitForAssertionAsync(() => Assert.DoesNotContain(page.FindAll("tr.dead-letter"), r => r.TextContent.Contains("viewer@demo.test")));
        var (state, attempts) = await DbAsync(db => db.Outbox.Where(m => m.Id == id).Select(m => ValueTuple.Create(m.State, m.Attempts)).SingleAsync());
        Assert.Equal((OutboxState.Pending, 0), (state, attempts));
        var audited = await DbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == OutboxDelivery.RedeliveryAction && e.EntityId == id.ToString()));
        Assert.Equal(Admin.Username, audited.ActorUsername);
    }
}
