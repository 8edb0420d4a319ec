using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Calendar;

/// <summary>
/// A person's calendar feed token (issue 15, item 5). Only its SHA-256 is stored: the address is shown once, when it is
/// made, and a copy of the database cannot be turned into feed addresses. One per person; making a new one replaces it.
/// </summary>
public sealed class CalendarFeedToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Username { get; init; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class CalendarFeedTokenConfiguration : IEntityTypeConfiguration<CalendarFeedToken>
{
    public void Configure(EntityTypeBuilder<CalendarFeedToken> builder)
    {
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => t.Username).IsUnique();
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Username).HasMaxLength(256);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
    }
}
