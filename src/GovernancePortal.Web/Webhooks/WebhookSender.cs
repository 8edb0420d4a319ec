using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Webhooks;

/// <summary>What one attempt came to: a status code when the receiver answered, else the error.</summary>
public sealed record SendOutcome(int? StatusCode, string? Error)
{
    public bool Delivered => StatusCode is >= 200 and < 300;

    /// <summary>Network errors, time-outs, 5xx and 429 are tried again; any other answer would be the same next time.</summary>
    public bool Retryable => StatusCode is null or >= 500 or 429;
}

/// <summary>
/// Posts one signed delivery. The host is resolved once, every address it resolves to is checked against
/// <see cref="OutboundAddressRules"/>, and the connection goes to the checked address (pinned through the connect
/// callback), so a name that resolves differently a moment later cannot reach the portal's network. No redirects are
/// followed, no proxy is used, and an attempt ends after <see cref="WebhookOptions.Timeout"/>.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private static readonly HttpRequestOptionsKey<IPAddress> Pinned = new("GovernancePortal.Webhooks.PinnedAddress");

    private readonly HttpClient _client;
    private readonly IOptions<WebhookOptions> _options;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public WebhookSender(IOptions<WebhookOptions> options) : this(options, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>With a resolver of the test's own, to show what a name that resolves to a refused address does.</summary>
    public WebhookSender(IOptions<WebhookOptions> options, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        _options = options;
        _resolve = resolve;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.Value.Timeout,
            // A pooled connection was made to a checked address; new ones are checked again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectToPinnedAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<SendOutcome> SendAsync(Uri url, string messageId, long timestamp, string signature, string body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Value.Timeout);
        try
        {
            var address = await ResolveAsync(url, timeout.Token);
            if (address is null)
            {
                return new SendOutcome(null, $"{url.Host} resolves to an address in a loopback, link-local or private range, which webhooks may not reach.");
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", messageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", signature);
            request.Headers.UserAgent.ParseAdd("GovernancePortal-Webhooks/1");
            request.Options.Set(Pinned, address);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return new SendOutcome(code, code is >= 200 and < 300 ? null : $"The receiver answered {code} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(null, $"No answer within {_options.Value.Timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            return new SendOutcome(null, Clip($"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>The one address to connect to, or null when the host reaches a refused address.</summary>
    private async Task<IPAddress?> ResolveAsync(Uri url, CancellationToken cancellationToken)
    {
        var addresses = OutboundAddressRules.LiteralAddress(url) is { } literal ? [literal] : await _resolve(url.IdnHost, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException($"{url.Host} does not resolve to any address.");
        }
        // One refused address among several refuses the host: a receiver has no reason to publish one.
        return _options.Value.AllowPrivateNetworks || addresses.All(OutboundAddressRules.IsPublic) ? addresses[0] : null;
    }

    private async ValueTask<Stream> ConnectToPinnedAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(Pinned, out var address)
            || (!_options.Value.AllowPrivateNetworks && !OutboundAddressRules.IsPublic(address)))
        {
            throw new HttpRequestException("A webhook connection must go to an address checked before the request.");
        }
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Clip(string text) => text.Length <= 2000 ? text : text[..2000];

    public void Dispose() => _client.Dispose();
}
