using Microsoft.Net.Http.Headers;

namespace GovernancePortal.Hosting;

/// <summary>
/// A strict Content-Security-Policy (scripts only from the portal's own files, no inline script, no eval) and the usual
/// hardening headers; nothing dynamic is cached. Styles may be inline: MudBlazor sets style attributes and writes its
/// theme as a style element (241 violations without it, measured); a style cannot run code (ADR-019).
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// The policy, letting forms also redirect to <paramref name="signOutOrigin"/>: browsers apply form-action to the
    /// redirects after a post, and sign-out posts, then redirects to Entra ID to end its session.
    /// </summary>
    public static string ContentSecurityPolicyWith(string? signOutOrigin) => signOutOrigin is null
        ? ContentSecurityPolicy
        : ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {signOutOrigin}", StringComparison.Ordinal);

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string? signOutOrigin = null) => app.Use(async (context, next) =>
    {
        var policy = ContentSecurityPolicyWith(signOutOrigin);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // API answers, exports and downloads carry governance data: no browser or proxy keeps a copy. Static assets
            // set their own caching and keep it.
            if (!headers.ContainsKey(HeaderNames.CacheControl))
            {
                headers.CacheControl = "no-store";
            }
            return Task.CompletedTask;
        });
        await next();
    });
}
