using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Identity;

/// <summary>A person the portal has seen sign in: what API keys act as, and where team membership is kept.</summary>
public sealed class UserAccount
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid ObjectId { get; init; }
    public required Guid TenantId { get; set; }
    public required string Username { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>The e-mail claim at the last sign-in, where e-mail notifications go (else the username).</summary>
    public string? Email { get; set; }
    public string Team { get; set; } = "";
    /// <summary>Roles at the last sign-in, comma-separated.</summary>
    public string Roles { get; set; } = "";
    public DateTimeOffset? LastSignInAt { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Length == 0 ? [] : Roles.Split(',');

    public static UserAccount For(Persona persona) => new()
    {
        ObjectId = persona.ObjectId,
        TenantId = DemoPersonas.TenantId,
        Username = persona.Username,
        DisplayName = persona.DisplayName,
        Team = persona.Team,
        Roles = persona.Role,
    };
}

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> builder)
    {
        builder.HasKey(u => u.Id);
        builder.HasIndex(u => u.ObjectId).IsUnique();
        builder.HasIndex(u => u.Username).IsUnique();
        builder.Property(u => u.Username).HasMaxLength(256);
        builder.Property(u => u.DisplayName).HasMaxLength(256);
        builder.Property(u => u.Email).HasMaxLength(256);
        builder.Property(u => u.Team).HasMaxLength(128);
        builder.Property(u => u.Roles).HasMaxLength(256);
        builder.Ignore(u => u.RoleList);
    }
}
