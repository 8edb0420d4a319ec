using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Sessions;

/// <summary>
/// An open interactive page keeps the principal it started with; every <see cref="PortalSessionOptions.RevalidationInterval"/>
/// this checks that its session still exists. When it was signed out, revoked or has timed out, the page's authentication
/// state turns anonymous, and the router sends the browser to sign-in (RedirectToAccessDenied).
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptionsMonitor<PortalSessionOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.CurrentValue.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        try
        {
            // A scope per check: the circuit's own DbContext may be busy with a component's query.
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<SessionAdministration>().IsActiveAsync(authenticationState.User, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping and its services are gone; the circuit ends with it, so there is nothing to sign out.
            return true;
        }
    }
}

/// <summary>
/// Working on an interactive page sends no HTTP requests, so the store never sees it: this counts the circuit's inbound
/// activity as seen, at most once per <see cref="SessionRules.LastSeenResolution"/>, so an active person is not timed out as idle.
/// </summary>
internal sealed class SessionActivity(AuthenticationStateProvider authentication, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<SessionActivity> logger) : CircuitHandler
{
    private DateTimeOffset _recorded = DateTimeOffset.MinValue;

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            await RecordAsync();
            await next(context);
        };

    private async Task RecordAsync()
    {
        var now = clock.GetUtcNow();
        if (!SessionRules.ShouldRecordSeen(_recorded, now))
        {
            return;
        }
        _recorded = now;
        try
        {
            if (SessionClaims.Of((await authentication.GetAuthenticationStateAsync()).User) is { } id)
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SessionAdministration>().RecordSeenAsync(id);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A missed last-seen only brings the idle timeout nearer; the person's click must still work.
            logger.LogWarning(e, "Could not record activity on an interactive session.");
        }
    }
}
