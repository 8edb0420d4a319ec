using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace GovernancePortal.Notifications;

/// <summary>A real SMTP server on a loopback port (SmtpServer), keeping what it accepted; it can be told to refuse.</summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    public sealed record Received(IReadOnlyList<string> To, MimeMessage Message);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly Store _store = new();

    public int Port { get; }

    public TestSmtpServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var options = new SmtpServerOptionsBuilder().ServerName("smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    /// <summary>While true, every message is refused with 554 after its data, as a failing relay would.</summary>
    public bool Refuse { get => _store.Refuse; set => _store.Refuse = value; }

    public IReadOnlyList<Received> Messages => [.. _store.Messages];

    public void Clear() => _store.Messages.Clear();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store : IMessageStore
    {
        public volatile bool Refuse;
        public ConcurrentQueue<Received> Messages { get; } = new();

        public Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            if (Refuse)
            {
                return Task.FromResult(new SmtpResponse(SmtpReplyCode.TransactionFailed, "Refused by the test."));
            }
            using var stream = new MemoryStream(buffer.ToArray());
            Messages.Enqueue(new Received(transaction.To.Select(t => t.AsAddress()).ToList(), MimeMessage.Load(stream)));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
