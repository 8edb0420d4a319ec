using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using GovernancePortal.Audit;

namespace GovernancePortal.Sessions;

/// <summary>
/// A signed-in browser: the authentication ticket the cookie used to carry, kept here so that the cookie carries only
/// <see cref="Id"/> and the session can be ended on the server (ADR-024). Written on sign-in and when seen, deleted on
/// sign-out, revocation and by the sweep; sign-in, sign-out and revocations have audit events of their own, so the
/// row's housekeeping writes need none.
/// </summary>
[AuditExempt]
public sealed class UserSession
{
    /// <summary>Random (a version 4 GUID), not time-ordered: the cookie carries it.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();
    public required Guid ObjectId { get; set; }
    public required string Username { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>"entra" or "development".</summary>
    public required string SignInMethod { get; set; }
    /// <summary>The ticket as <c>TicketSerializer</c> writes it.</summary>
    [AuditRedacted]
    public required byte[] Ticket { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public string? ClientAddress { get; set; }
    public string? UserAgent { get; set; }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.ToTable("UserSessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.HasIndex(s => s.ObjectId);
        builder.HasIndex(s => s.ExpiresAt);
        builder.Property(s => s.Username).HasMaxLength(256);
        builder.Property(s => s.DisplayName).HasMaxLength(256);
        builder.Property(s => s.SignInMethod).HasMaxLength(16);
        builder.Property(s => s.ClientAddress).HasMaxLength(64);
        builder.Property(s => s.UserAgent).HasMaxLength(SessionRules.MaxUserAgent);
    }
}
