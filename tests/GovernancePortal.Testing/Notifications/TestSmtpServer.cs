using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace GovernancePortal.Notifications;

/// <summary>
/// A real SMTP server on a loopback port (SmtpServer), keeping what it accepted; it can be told to refuse. Given a
/// certificate it offers STARTTLS with it, or with <c>implicitTls</c> speaks TLS from the first byte (SslOnConnect).
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    public sealed record Received(IReadOnlyList<string> To, MimeMessage Message, bool Secure = false);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly Store _store = new();
    private readonly Certificates _certificates = new();

    /// <summary>The certificate the next TLS session presents; a test swaps it as a server renewing it (or an impostor) would.</summary>
    public X509Certificate2? Certificate { get => _certificates.Presented; set => _certificates.Presented = value; }

    public int Port { get; }

    public TestSmtpServer(X509Certificate2? certificate = null, bool implicitTls = false)
    {
        _certificates.Presented = certificate;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var options = new SmtpServerOptionsBuilder().ServerName("smtp.test")
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(implicitTls);
                if (certificate is not null)
                {
                    e.Certificate(_certificates);
                }
            }).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    /// <summary>While true, every message is refused with 554 after its data, as a failing relay would.</summary>
    public bool Refuse { get => _store.Refuse; set => _store.Refuse = value; }

    /// <summary>A self-signed certificate for <c>smtp.test</c> and 127.0.0.1, made for one test run; no machine trusts it.</summary>
    public static X509Certificate2 SelfSignedCertificate(string name = "smtp.test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so SslStream gets a private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

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

    private sealed class Certificates : ICertificateFactory
    {
        public volatile X509Certificate2? Presented;

        public X509Certificate GetServerCertificate(ISessionContext sessionContext) => Presented!;
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
            Messages.Enqueue(new Received(transaction.To.Select(t => t.AsAddress()).ToList(), MimeMessage.Load(stream), context.Pipe.IsSecure));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
