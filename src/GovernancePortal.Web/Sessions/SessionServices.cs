using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Sessions;

public static class SessionServices
{
    /// <summary>Server-side sessions (ADR-024): the cookie scheme's ticket store, revalidation of open pages, the Admin page's service.</summary>
    public static void AddPortalSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalSessionOptions>().BindConfiguration(PortalSessionOptions.Section)
            .Validate(o => o.AbsoluteLifetime > TimeSpan.Zero && o.IdleTimeout > TimeSpan.Zero && o.RevalidationInterval > TimeSpan.Zero,
                "Sessions:AbsoluteLifetime, Sessions:IdleTimeout and Sessions:RevalidationInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DatabaseTicketStore>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<DatabaseTicketStore, IOptions<PortalSessionOptions>>((cookie, store, sessions) =>
                SessionClaims.UseSessionStore(cookie, store, sessions.Value));
        builder.Services.AddScoped<SessionAdministration>();
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, SessionActivity>());
    }
}
