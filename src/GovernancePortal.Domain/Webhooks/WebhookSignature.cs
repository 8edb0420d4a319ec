using System.Security.Cryptography;
using System.Text;

namespace GovernancePortal.Webhooks;

/// <summary>
/// Standard Webhooks signing: the secret is <c>whsec_</c> and the base64 of a random key; a signature is
/// <c>v1,</c> and the base64 HMAC-SHA256 under that key of <c>{webhook-id}.{webhook-timestamp}.{body}</c>. Several
/// signatures (during a rotation) are separated by spaces in one <c>webhook-signature</c> header.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    private const int KeyBytes = 32;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));

    public static byte[] KeyOf(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : throw new FormatException("A webhook secret starts with whsec_.");

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content));
    }

    /// <summary>The header value: one signature per secret still in force, current first.</summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(s => Sign(s, messageId, timestamp, body)));
}
