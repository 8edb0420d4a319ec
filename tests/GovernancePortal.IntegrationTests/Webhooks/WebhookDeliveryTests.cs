using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Webhooks;

/// <summary>
/// Webhooks end to end over HTTP: an Admin subscribes through the API, owners change the registry, the job delivers to a
/// real receiver that checks every signature with its own HMAC code; retries, dead letters, disabling, rotation, deletion.
/// </summary>
public abstract class WebhookDeliveryTests(WebhookPortal portal)
{
    private WebhookReceiver Receiver => portal.Receiver;

    private Task<HttpClient> AdminAsync() => TestApiKeys.ClientAsync(portal, "admin@demo.test", "webhook-tests");

    private async Task<(Guid Id, string Secret)> SubscribeAsync(string path, params string[] events)
    {
        var admin = await AdminAsync();
        var created = await admin.PostAsync("/api/v1/webhooks", Json(new { url = Receiver.BaseUrl + path, events, description = $"Tests {path}" }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var body = await BodyAsync(created);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/webhooks/{id}", created.Headers.Location?.OriginalString);
        return (id, body.GetProperty("secret").GetString()!);
    }

    /// <summary>An owner registers a model through the API: one <c>model.registered</c> event; its audit sequence.</summary>
    private async Task<long> RegisterModelAsync(string key)
    {
        var owner = await TestApiKeys.ClientAsync(portal, "owner@demo.test", "webhook-tests");
        var created = await owner.PostAsync("/api/v1/models", Json(RegistryTestData.ModelBody(key)));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "model.registered" && e.Payload.Contains(key))
            .Select(e => e.Sequence).SingleAsync());
    }

    private async Task<List<JsonElement>> DeliveriesAsync(Guid id)
    {
        var response = await (await AdminAsync()).GetAsync($"/api/v1/webhooks/{id}/deliveries");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await BodyAsync(response)).EnumerateArray().ToList();
    }

    private Task<List<Audit.AuditEvent>> AuditedAsync(string action, Guid id) => portal.WithDbAsync(db =>
        db.AuditEvents.AsNoTracking().Where(e => e.Action == action && e.EntityId == id.ToString()).ToListAsync());

    [Fact]
    public async Task Each_chosen_event_reaches_the_receiver_once_with_the_standard_webhooks_signature_and_body()
    {
        var (id, secret) = await SubscribeAsync("/hooks/registry", "model.registered", "version.registered");
        var (other, _) = await SubscribeAsync("/hooks/promotions", "promotion.requested");
        Assert.NotEqual(id, other);

        var list = await (await AdminAsync()).GetStringAsync("/api/v1/webhooks");
        Assert.DoesNotContain(secret, list);
        var listed = JsonDocument.Parse(list).RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == id);
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.Equal(["model.registered", "version.registered"], listed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.True(listed.GetProperty("enabled").GetBoolean());
        var created = Assert.Single(await AuditedAsync(WebhookSubscriptions.CreatedAction, id));
        Assert.Equal("admin@demo.test", created.ActorUsername);
        Assert.DoesNotContain(secret, created.Payload);
        Assert.DoesNotContain("ProtectedSecret\":\"", created.Payload);

        var sequence = await RegisterModelAsync("webhook-signed");
        var before = portal.Clock.GetUtcNow().ToUnixTimeSeconds();
        await portal.RunAsync();
        await portal.RunAsync();

        var received = Assert.Single(Receiver.At("/hooks/registry"));
        Assert.Empty(Receiver.At("/hooks/promotions"));
        Assert.Equal(1, WebhookReceiver.ValidSignatures(received, secret));
        Assert.StartsWith("msg_", received.Id);
        Assert.InRange(long.Parse(received.Timestamp), before, before + 1);
        Assert.StartsWith("application/json", received.ContentType);
        var body = JsonNode.Parse(received.Body)!.AsObject();
        Assert.Equal(["type", "occurredAt", "data", "auditSequence"], body.Select(p => p.Key));
        Assert.Equal("model.registered", (string?)body["type"]);
        Assert.Equal(sequence, (long)body["auditSequence"]!);
        var audited = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == sequence));
        Assert.Equal(audited.Timestamp, DateTimeOffset.Parse((string)body["occurredAt"]!));
        Assert.Equal(("Model", audited.EntityId, "owner@demo.test"), ((string?)body["data"]!["entityType"], (string?)body["data"]!["entityId"], (string?)body["data"]!["actor"]));
        Assert.Contains("webhook-signed", body["data"]!["details"]!.ToJsonString());

        var delivery = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(("delivered", 1, 200, received.Id, sequence), (delivery.GetProperty("status").GetString(), delivery.GetProperty("attempts").GetInt32(),
            delivery.GetProperty("lastStatusCode").GetInt32(), delivery.GetProperty("messageId").GetString(), delivery.GetProperty("auditSequence").GetInt64()));
        Assert.Empty(await DeliveriesAsync(other));
    }

    [Fact]
    public async Task A_500_is_tried_again_after_the_backoff_with_the_same_id_and_then_delivered()
    {
        var (id, secret) = await SubscribeAsync("/hooks/retry", "model.registered");
        Receiver.Answer("/hooks/retry", 500);
        await RegisterModelAsync("webhook-retried");

        await portal.RunAsync();
        var pending = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(("pending", 1, 500), (pending.GetProperty("status").GetString(), pending.GetProperty("attempts").GetInt32(), pending.GetProperty("lastStatusCode").GetInt32()));
        Assert.Contains("500", pending.GetProperty("lastError").GetString());
        Assert.Equal([(1, "failed", 500)], AttemptLog(pending));
        await portal.RunAsync();
        Assert.Single(Receiver.At("/hooks/retry"));

        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        await portal.RunAsync();
        var attempts = Receiver.At("/hooks/retry");
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].Id, attempts[1].Id);
        Assert.Equal(attempts[0].Body, attempts[1].Body);
        Assert.All(attempts, a => Assert.Equal(1, WebhookReceiver.ValidSignatures(a, secret)));
        var delivered = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(("delivered", 2), (delivered.GetProperty("status").GetString(), delivered.GetProperty("attempts").GetInt32()));
        Assert.Equal([(1, "failed", 500), (2, "delivered", 200)], AttemptLog(delivered));
        var first = delivered.GetProperty("attemptLog")[0];
        Assert.Contains("500", first.GetProperty("error").GetString());
        Assert.Equal((portal.Clock.GetUtcNow() - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds(), first.GetProperty("at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.InRange(first.GetProperty("durationMilliseconds").GetInt32(), 0, 5_000);
    }

    /// <summary>Runs the job at each of the three attempts' times (now, a minute on, two more on); the last run's result.</summary>
    private async Task<WebhookRun> RunEveryAttemptAsync()
    {
        await portal.RunAsync();
        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        await portal.RunAsync();
        portal.Clock.Advance(TimeSpan.FromMinutes(2));
        return await portal.RunAsync();
    }

    /// <summary>The delivery log as (attempt number, outcome, status code), oldest first.</summary>
    private static List<(int, string?, int?)> AttemptLog(JsonElement delivery) => delivery.GetProperty("attemptLog").EnumerateArray()
        .Select(a => (a.GetProperty("number").GetInt32(), a.GetProperty("outcome").GetString(),
            a.GetProperty("statusCode").ValueKind == JsonValueKind.Null ? (int?)null : a.GetProperty("statusCode").GetInt32())).ToList();

    [Fact]
    public async Task The_log_keeps_every_attempt_up_to_the_configured_number_per_delivery_the_newest()
    {
        var (id, _) = await SubscribeAsync("/hooks/capped", "model.registered");
        Receiver.AnswerAlways("/hooks/capped", 503);
        await RegisterModelAsync("webhook-capped");
        await RunEveryAttemptAsync();
        var dead = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal([(1, "failed", 503), (2, "failed", 503), (3, "dead-lettered", 503)], AttemptLog(dead));

        // Redelivered, it fails twice more: five attempts made, the newest four kept.
        var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/webhooks/{id}/deliveries/{dead.GetProperty("id").GetGuid()}/redeliver", null)).StatusCode);
        await portal.RunAsync();
        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        await portal.RunAsync();
        Assert.Equal(5, Receiver.At("/hooks/capped").Count);
        var capped = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(WebhookPortal.AttemptsKept, AttemptLog(capped).Count);
        Assert.Equal([(2, "failed", 503), (3, "dead-lettered", 503), (1, "failed", 503), (2, "failed", 503)], AttemptLog(capped));
        var deliveryId = capped.GetProperty("id").GetGuid();
        Assert.Equal(WebhookPortal.AttemptsKept, await portal.WithDbAsync(db => db.Set<Notifications.DeliveryAttempt>().CountAsync(a => a.DeliveryId == deliveryId)));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_dead_lettered_and_a_subscription_that_keeps_failing_is_disabled_and_the_admins_told()
    {
        var (id, secret) = await SubscribeAsync("/hooks/down", "model.registered");
        Receiver.AnswerAlways("/hooks/down", 503);
        await RegisterModelAsync("webhook-dead-1");
        var last = await RunEveryAttemptAsync();
        Assert.Equal((1, 0), (last.DeadLettered, last.Disabled));
        Assert.Equal(WebhookPortal.MaxAttempts, Receiver.At("/hooks/down").Count);
        var dead = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(("dead-lettered", WebhookPortal.MaxAttempts, 503), (dead.GetProperty("status").GetString(), dead.GetProperty("attempts").GetInt32(),
            dead.GetProperty("lastStatusCode").GetInt32()));
        portal.Clock.Advance(TimeSpan.FromDays(1));
        await portal.RunAsync();
        Assert.Equal(WebhookPortal.MaxAttempts, Receiver.At("/hooks/down").Count);

        // A 4xx would be the same next time: dead-lettered at once, the second in a row, and the subscription is disabled.
        Receiver.Answer("/hooks/down", 410);
        await RegisterModelAsync("webhook-dead-2");
        var disabling = await portal.RunAsync();
        Assert.Equal((1, 1), (disabling.DeadLettered, disabling.Disabled));
        Assert.Equal(WebhookPortal.MaxAttempts + 1, Receiver.At("/hooks/down").Count);
        var disabled = Assert.Single(await AuditedAsync(WebhookSubscriptions.DisabledAction, id));
        Assert.Equal("system", disabled.ActorUsername);
        var told = await portal.WithDbAsync(db => db.Notifications.AsNoTracking()
            .Where(n => n.Kind == "webhook.disabled" && n.Link == $"/admin/webhooks/{id}").Select(n => n.Recipient).ToListAsync());
        Assert.Equal(["admin@demo.test"], told);
        var listed = (await BodyAsync(await (await AdminAsync()).GetAsync("/api/v1/webhooks"))).EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == id);
        Assert.False(listed.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", listed.GetProperty("disabledReason").GetString());

        // Nothing is staged or sent to a disabled subscription.
        await RegisterModelAsync("webhook-dead-3");
        portal.Clock.Advance(TimeSpan.FromHours(1));
        await portal.RunAsync();
        Assert.Equal(WebhookPortal.MaxAttempts + 1, Receiver.At("/hooks/down").Count);
        Assert.Equal(2, (await DeliveriesAsync(id)).Count);

        // The Admin redelivers the first dead letter and enables the subscription again: it arrives, and both are audited.
        Receiver.AnswerAlways("/hooks/down", 200);
        var admin = await AdminAsync();
        var deadId = dead.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/webhooks/{id}/deliveries/{deadId}/redeliver", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/webhooks/{id}/deliveries/{Guid.NewGuid()}/redeliver", null)).StatusCode);
        await portal.RunAsync();
        Assert.Equal(WebhookPortal.MaxAttempts + 1, Receiver.At("/hooks/down").Count);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/webhooks/{id}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/webhooks/{id}/enable", null)).StatusCode);
        await portal.RunAsync();
        var redelivered = Receiver.At("/hooks/down")[^1];
        Assert.Equal(dead.GetProperty("messageId").GetString(), redelivered.Id);
        Assert.Equal(1, WebhookReceiver.ValidSignatures(redelivered, secret));
        Assert.Equal("delivered", (await DeliveriesAsync(id)).Single(d => d.GetProperty("id").GetGuid() == deadId).GetProperty("status").GetString());
        Assert.Single(await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == WebhookSubscriptions.RedeliveryAction && e.EntityId == deadId.ToString()).ToListAsync()));
        Assert.Single(await AuditedAsync(WebhookSubscriptions.EnabledAction, id));
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one()
    {
        var (id, old) = await SubscribeAsync("/hooks/rotate", "model.registered");
        var admin = await AdminAsync();
        var rotated = await admin.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var secret = (await BodyAsync(rotated)).GetProperty("secret").GetString()!;
        Assert.NotEqual(old, secret);
        var audited = Assert.Single(await AuditedAsync(WebhookSubscriptions.RotatedAction, id));
        Assert.DoesNotContain(old, audited.Payload);
        Assert.DoesNotContain(secret, audited.Payload);

        await RegisterModelAsync("webhook-rotation-1");
        await portal.RunAsync();
        var during = Assert.Single(Receiver.At("/hooks/rotate"));
        Assert.Equal(2, during.Signature.Split(' ').Length);
        Assert.Equal((1, 1), (WebhookReceiver.ValidSignatures(during, secret), WebhookReceiver.ValidSignatures(during, old)));

        portal.Clock.Advance(TimeSpan.FromHours(24));
        await RegisterModelAsync("webhook-rotation-2");
        await portal.RunAsync();
        var after = Receiver.At("/hooks/rotate")[^1];
        Assert.Single(after.Signature.Split(' '));
        Assert.Equal((1, 0), (WebhookReceiver.ValidSignatures(after, secret), WebhookReceiver.ValidSignatures(after, old)));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/webhooks/{Guid.NewGuid()}/rotate-secret", null)).StatusCode);
    }

    [Fact]
    public async Task A_deleted_subscription_receives_nothing_more_and_its_deletion_is_audited()
    {
        var (id, _) = await SubscribeAsync("/hooks/deleted", "*");
        var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal("admin@demo.test", Assert.Single(await AuditedAsync(WebhookSubscriptions.DeletedAction, id)).ActorUsername);
        Assert.DoesNotContain(id.ToString(), await admin.GetStringAsync("/api/v1/webhooks"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/webhooks/{id}/deliveries")).StatusCode);

        await RegisterModelAsync("webhook-after-delete");
        await portal.RunAsync();
        Assert.Empty(Receiver.At("/hooks/deleted"));
    }

    [Fact]
    public async Task Two_runs_at_once_stage_an_event_once_per_subscription()
    {
        var (id, _) = await SubscribeAsync("/hooks/race", "model.registered");
        var sequence = await RegisterModelAsync("webhook-race");

        async Task<int> StageAsync()
        {
            await using var scope = portal.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<WebhookDispatcher>().StageAsync();
        }
        var staged = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(StageAsync)));
        await portal.RunAsync();

        Assert.Single(await portal.WithDbAsync(db => db.Set<WebhookDelivery>().Where(d => d.SubscriptionId == id && d.AuditSequence == sequence).ToListAsync()));
        Assert.Single(Receiver.At("/hooks/race"));
        Assert.InRange(staged.Sum(), 1, int.MaxValue);
    }

    [Fact]
    public async Task Bad_subscriptions_are_refused_field_by_field_and_only_admins_manage_webhooks()
    {
        var admin = await AdminAsync();
        var count = await portal.WithDbAsync(db => db.Set<WebhookSubscription>().CountAsync());
        async Task<JsonElement> RefusedAsync(object body, string field)
        {
            var response = await admin.PostAsync("/api/v1/webhooks", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await BodyAsync(response);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
            return messages;
        }
        Assert.Contains("http", (await RefusedAsync(new { url = "ftp://hooks.example.org/x", events = new[] { "*" } }, "url"))[0].GetString());
        await RefusedAsync(new { url = "not a url", events = new[] { "*" } }, "url");
        await RefusedAsync(new { url = "https://user:pw@hooks.example.org/x", events = new[] { "*" } }, "url");
        Assert.Contains("model.deleted", (await RefusedAsync(new { url = Receiver.BaseUrl + "/x", events = new[] { "model.deleted" } }, "events"))[0].GetString());
        await RefusedAsync(new { url = Receiver.BaseUrl + "/x", events = Array.Empty<string>() }, "events");
        await RefusedAsync(new { url = Receiver.BaseUrl + "/x", events = new[] { "*" }, description = new string('d', 501) }, "description");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/webhooks", Json(new { url = Receiver.BaseUrl, events = new[] { "*" }, secret = "mine" }))).StatusCode);
        Assert.Equal(count, await portal.WithDbAsync(db => db.Set<WebhookSubscription>().CountAsync()));

        foreach (var person in new[] { "owner@demo.test", "compliance@demo.test", "auditor@demo.test" })
        {
            var client = await TestApiKeys.ClientAsync(portal, person, "webhook-tests");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/webhooks")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/v1/webhooks", Json(new { url = Receiver.BaseUrl, events = new[] { "*" } }))).StatusCode);
        }
    }
}

public sealed class WebhookDeliveryTestsOnSqlite(SqliteWebhookPortal portal) : WebhookDeliveryTests(portal), IClassFixture<SqliteWebhookPortal>;

public sealed class WebhookDeliveryTestsOnPostgreSql(PostgreSqlWebhookPortal portal) : WebhookDeliveryTests(portal), IClassFixture<PostgreSqlWebhookPortal>;
