using GovernancePortal.Api;
using GovernancePortal.Identity;

namespace GovernancePortal.Webhooks;

public sealed record WebhookBody(string? Url, List<string>? Events, string? Description);

public sealed record WebhookResponse(
    Guid Id, string Url, IReadOnlyList<string> Events, string Description, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? PreviousSecretValidUntil, int Pending, int Delivered, int DeadLettered);

public sealed record WebhookSecretResponse(Guid Id, string Secret);

public sealed record WebhookDeliveryResponse(
    Guid Id, string MessageId, string EventType, long AuditSequence, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt,
    IReadOnlyList<WebhookAttemptResponse> AttemptLog);

/// <summary>One attempt in a delivery's log: outcome <c>delivered</c>, <c>failed</c> (tried again) or <c>dead-lettered</c>.</summary>
public sealed record WebhookAttemptResponse(int Number, DateTimeOffset At, string Outcome, int? StatusCode, string? Error, int DurationMilliseconds);

/// <summary><c>/api/v1/webhooks</c>: Admins' subscriptions (issue 17, item 6). The secret is in the answer to create and rotate only.</summary>
public static class WebhookApi
{
    public static RouteGroupBuilder MapWebhookApi(this RouteGroupBuilder api)
    {
        var hooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        hooks.MapPost("", CreateAsync).WithName("CreateWebhook").Accepts<WebhookBody>("application/json")
            .Produces<WebhookSecretResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        hooks.MapGet("", ListAsync).WithName("ListWebhooks").Produces<List<WebhookResponse>>();
        hooks.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries")
            .Produces<List<WebhookDeliveryResponse>>().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id:guid}/rotate-secret", RotateAsync).WithName("RotateWebhookSecret")
            .Produces<WebhookSecretResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        hooks.MapPost("/{id:guid}/enable", EnableAsync).WithName("EnableWebhook")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        hooks.MapPost("/{id:guid}/deliveries/{delivery:guid}/redeliver", RedeliverAsync).WithName("RedeliverWebhook")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteWebhook")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<IResult> CreateAsync(HttpRequest request, WebhookSubscriptions webhooks, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<WebhookBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await webhooks.CreateAsync(body.Value!.Url, body.Value.Events, body.Value.Description, null, cancellationToken);
        return outcome.Errors is { } errors
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Created($"/api/v1/webhooks/{outcome.Value!.Id}", new WebhookSecretResponse(outcome.Value.Id, outcome.Value.Secret));
    }

    internal static async Task<IResult> ListAsync(WebhookSubscriptions webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await webhooks.ListAsync(cancellationToken)).Select(s => new WebhookResponse(s.Id, s.Url, s.Events, s.Description, s.Enabled,
            s.DisabledReason, s.DisabledAt, s.CreatedBy, s.CreatedAt, s.PreviousSecretExpiresAt, s.Pending, s.Delivered, s.DeadLettered)).ToList());

    internal static async Task<IResult> DeliveriesAsync(Guid id, WebhookSubscriptions webhooks, CancellationToken cancellationToken)
    {
        if (await webhooks.DeliveriesAsync(id, cancellationToken) is not { } deliveries)
        {
            return NotFound();
        }
        var log = await webhooks.AttemptsAsync([.. deliveries.Select(d => d.Id)], cancellationToken);
        return TypedResults.Ok(deliveries.Select(d => new WebhookDeliveryResponse(d.Id, d.MessageId, d.EventType, d.AuditSequence, Status(d.State), d.Attempts,
            d.LastStatusCode, d.LastError, d.CreatedAt, d.LastAttemptAt, d.State == WebhookDeliveryState.Pending ? d.NextAttemptAt : null, d.DeliveredAt,
            log[d.Id].Select(a => new WebhookAttemptResponse(a.Number, a.At, Outcome(a.Outcome), a.StatusCode, a.Error, a.DurationMilliseconds)).ToList())).ToList());
    }

    internal static async Task<IResult> RotateAsync(Guid id, WebhookSubscriptions webhooks, CancellationToken cancellationToken)
    {
        var outcome = await webhooks.RotateSecretAsync(id, null, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(new WebhookSecretResponse(id, outcome.Value!)) : Problem(outcome);
    }

    internal static async Task<IResult> EnableAsync(Guid id, WebhookSubscriptions webhooks, CancellationToken cancellationToken)
    {
        var outcome = await webhooks.EnableAsync(id, null, cancellationToken);
        return outcome.Succeeded ? TypedResults.NoContent() : Problem(outcome, "The subscription is enabled already, or changed meanwhile.");
    }

    internal static async Task<IResult> RedeliverAsync(Guid id, Guid delivery, WebhookSubscriptions webhooks, CancellationToken cancellationToken)
    {
        var outcome = await webhooks.RedeliverAsync(id, delivery, null, cancellationToken);
        return outcome.Succeeded ? TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries") : Problem(outcome);
    }

    internal static async Task<IResult> DeleteAsync(Guid id, WebhookSubscriptions webhooks, CancellationToken cancellationToken)
    {
        var outcome = await webhooks.DeleteAsync(id, null, cancellationToken);
        return outcome.Succeeded ? TypedResults.NoContent() : Problem(outcome);
    }

    internal static string Status(WebhookDeliveryState state) => state switch
    {
        WebhookDeliveryState.Pending => "pending",
        WebhookDeliveryState.Delivered => "delivered",
        _ => "dead-lettered",
    };

    internal static string Outcome(Notifications.DeliveryAttemptOutcome outcome) => outcome switch
    {
        Notifications.DeliveryAttemptOutcome.Delivered => "delivered",
        Notifications.DeliveryAttemptOutcome.Failed => "failed",
        _ => "dead-lettered",
    };

    private static IResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such webhook subscription or delivery.");

    private static IResult Problem<T>(WebhookOutcome<T> outcome, string conflict = "Someone else changed the subscription meanwhile; read it again.") =>
        outcome.NotFound ? NotFound() : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: conflict);
}

public static class WebhookServices
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
        services.AddSingleton<WebhookSender>();
        services.AddScoped<WebhookSubscriptions>();
        services.AddScoped<WebhookDispatcher>();
        services.AddScoped<WebhookDeliveryJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").MapWebhookApi();
        return app;
    }
}
