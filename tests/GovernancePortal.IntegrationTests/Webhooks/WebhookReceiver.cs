using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GovernancePortal.Webhooks;

/// <summary>
/// A real HTTP receiver on loopback (Kestrel): records every request it gets and answers with the status codes queued
/// for it (200 when none is). It verifies Standard Webhooks signatures with its own HMAC code, not the portal's.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string Id, string Timestamp, string Signature, string Body, string ContentType);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _answers = new();
    private readonly ConcurrentDictionary<string, int> _defaults = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string BaseUrl { get; }

    private WebhookReceiver(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            receiver!.Requests.Enqueue(new Received(context.Request.Path, context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(), context.Request.Headers["webhook-signature"].ToString(), body,
                context.Request.ContentType ?? ""));
            var path = context.Request.Path.Value ?? "";
            var status = receiver._answers.TryGetValue(path, out var queue) && queue.TryDequeue(out var next) ? next : receiver._defaults.GetValueOrDefault(path, 200);
            if (status == Hang)
            {
                await receiver._released.Task.WaitAsync(context.RequestAborted);
            }
            context.Response.StatusCode = status;
            if (status is >= 300 and < 400)
            {
                context.Response.Headers.Location = $"{receiver.BaseUrl}/redirected";
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new WebhookReceiver(app, address);
        return receiver;
    }

    /// <summary>Not a status code: the receiver keeps the request open until it is disposed.</summary>
    public const int Hang = 0;

    /// <summary>Answers the next requests to <paramref name="path"/> with these statuses, in order.</summary>
    public void Answer(string path, params int[] statuses)
    {
        var queue = _answers.GetOrAdd(path, _ => new ConcurrentQueue<int>());
        foreach (var status in statuses)
        {
            queue.Enqueue(status);
        }
    }

    /// <summary>What <paramref name="path"/> answers once nothing is queued for it (200 unless set).</summary>
    public void AnswerAlways(string path, int status) => _defaults[path] = status;

    public List<Received> At(string path) => Requests.Where(r => r.Path == path).ToList();

    /// <summary>
    /// Which of the space-separated <c>v1,</c> signatures in <paramref name="received"/> were made with
    /// <paramref name="secret"/> (<c>whsec_</c> and the base64 key) over <c>{id}.{timestamp}.{body}</c>.
    /// </summary>
    public static int ValidSignatures(Received received, string secret)
    {
        Assert.StartsWith("whsec_", secret);
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}")));
        var signatures = received.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s));
        return signatures.Count(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }

    public async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
