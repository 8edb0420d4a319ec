using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace GovernancePortal.RateLimiting;

/// <summary>
/// Abuse controls on ASP.NET Core's rate limiter (ADR-023). Every API call counts against its API key (or the person an
/// Entra token names), and calls without a valid credential against the client address, so a burst of guessed keys is
/// answered 429 after a few dozen; sign-in attempts count per address and uploads per person. A refusal is a 429 problem
/// with <c>Retry-After</c>. Runs after authentication (to know the caller) and before authorization (so a flood of
/// forbidden calls stops here, before it is audited).
/// </summary>
public static class PortalRateLimiting
{
    /// <summary>Endpoints that start a sign-in.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Endpoints that take a file.</summary>
    public const string Uploads = "uploads";

    public static void AddPortalRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.IsValid, $"Every {RateLimitOptions.Section} limit needs a PermitLimit of at least 1 and WindowSeconds from 1 to 86400.")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                !IdentityServices.IsApiRequest(context.Request) ? RateLimitPartition.GetNoLimiter("")
                : CallerOf(context.User) is { } caller ? Fixed(caller, Limits(context).Api)
                : Fixed($"address:{AddressOf(context)}", Limits(context).UnauthenticatedApi));
            o.AddPolicy(SignIn, context => Fixed($"address:{AddressOf(context)}", Limits(context).SignIn));
            o.AddPolicy(Uploads, context => Fixed(PersonOf(context.User) ?? $"address:{AddressOf(context)}", Limits(context).Uploads));
        });
    }

    public static IApplicationBuilder UsePortalRateLimiting(this IApplicationBuilder app) => app.UseRateLimiter();

    private static RateLimitOptions Limits(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    private static RateLimitPartition<string> Fixed(string key, RateLimitWindow limit) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
        });

    /// <summary>An API key on its own (a pipeline's budget is not its owner's), otherwise the person; null when anonymous.</summary>
    internal static string? CallerOf(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var id = user.FindFirstValue(PortalClaims.ObjectId) ?? user.Identity.Name ?? "";
        return user.FindFirstValue(PortalClaims.ApiKeyLabel) is { } key ? $"key:{id}:{key}" : $"user:{id}";
    }

    /// <summary>The person, whichever key or token they came with; null when anonymous.</summary>
    internal static string? PersonOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? $"user:{user.FindFirstValue(PortalClaims.ObjectId) ?? user.Identity.Name}" : null;

    /// <summary>The client address; IPv6 by its /64, which one subscriber usually holds whole.</summary>
    internal static string AddressOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var http = rejected.HttpContext;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"This client has sent too many requests; try again in {seconds} s.").ExecuteAsync(http);
    }
}
