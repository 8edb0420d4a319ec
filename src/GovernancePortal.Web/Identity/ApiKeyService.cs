using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Identity;

public sealed record IssuedApiKey(ApiKey Key, string Secret);

/// <summary>Creates, finds and revokes API keys. A key reads <c>gp_{prefix}_{secret}</c>.</summary>
public sealed class ApiKeyService(GovernanceDbContext db, TimeProvider clock)
{
    public const string HeaderName = "X-Api-Key";
    public const int MaxLabelLength = 100;

    public async Task<IssuedApiKey> CreateAsync(UserAccount user, string label, string createdBy, CancellationToken cancellationToken = default,
        Audit.AuditActor? actor = null)
    {
        label = label.Trim();
        if (label.Length is 0 or > MaxLabelLength)
        {
            throw new ArgumentException($"A key needs a label of 1 to {MaxLabelLength} characters.", nameof(label));
        }
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var full = $"gp_{prefix}_{secret}";
        var key = new ApiKey
        {
            UserId = user.Id,
            Label = label,
            Prefix = prefix,
            SecretHash = Hash(full),
            CreatedBy = createdBy,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ApiKeys.Add(key);
        db.Audit.Record("apikey.created", key, new { user = user.Username, label }, actor);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedApiKey(key, full);
    }

    public async Task<ApiKey?> FindActiveAsync(string presented, CancellationToken cancellationToken = default)
    {
        // The secret is base64url and may itself contain '_'.
        var parts = presented.Split('_', 3);
        if (parts.Length != 3 || parts[0] != "gp" || parts[1].Length != 12 || parts[2].Length is 0 or > 64)
        {
            return null;
        }
        var key = await db.ApiKeys.AsNoTracking().Include(k => k.User)
            .SingleOrDefaultAsync(k => k.Prefix == parts[1], cancellationToken);
        if (key is null || !key.IsActive)
        {
            return null;
        }
        var expected = Encoding.ASCII.GetBytes(key.SecretHash);
        var actual = Encoding.ASCII.GetBytes(Hash(presented));
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? key : null;
    }

    public async Task<bool> RevokeAsync(Guid id, string revokedBy, CancellationToken cancellationToken = default, Audit.AuditActor? actor = null)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !key.IsActive)
        {
            return false;
        }
        key.RevokedAt = clock.GetUtcNow();
        key.RevokedBy = revokedBy;
        db.Audit.Record("apikey.revoked", key, new { label = key.Label }, actor);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    // The secret has 256 bits of entropy, so a fast hash is enough; a slow password hash would only cost latency.
    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
