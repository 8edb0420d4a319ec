using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace GovernancePortal.Hosting;

/// <summary>
/// Behind a TLS-terminating proxy: X-Forwarded-For, -Proto and -Host are honoured only from the proxies and networks in
/// <c>ForwardedHeaders:KnownProxies</c> and <c>ForwardedHeaders:KnownNetworks</c> (none by default, not even loopback),
/// so the scheme and host the portal sees (and the sign-in redirect_uri it builds from them) are the browser's.
/// </summary>
public static class ProxyHeaders
{
    public const string Section = "ForwardedHeaders";

    public static IServiceCollection AddPortalProxyHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        // Parsed here, so a malformed address stops the start instead of failing every request.
        var proxies = (section.GetSection("KnownProxies").Get<string[]>() ?? []).Where(p => !string.IsNullOrWhiteSpace(p)).Select(IPAddress.Parse).ToList();
        var networks = (section.GetSection("KnownNetworks").Get<string[]>() ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => System.Net.IPNetwork.Parse(n)).ToList();
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);
        });
    }
}
