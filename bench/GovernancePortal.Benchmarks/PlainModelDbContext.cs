using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace GovernancePortal.Benchmarks;

/// <summary>
/// The baseline for "unaudited" writes: the same <see cref="Model"/> mapping on the same table and connection as the
/// portal's context, without its audit recorder. The portal's own context refuses a save that has no audit event,
/// so this exists only in the benchmark.
/// </summary>
internal abstract class PlainModelDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Model> Models => Set<Model>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // The portal's own configurations; Model's navigation to its versions needs the version mapping too.
        modelBuilder.ApplyConfiguration(new ModelConfiguration());
        modelBuilder.ApplyConfiguration(new ModelVersionConfiguration());
        modelBuilder.Entity<Model>().ToTable("Models");
        modelBuilder.Entity<ModelVersion>().ToTable("ModelVersions");
    }
}

internal sealed class SqlitePlainModelDbContext(DbContextOptions<SqlitePlainModelDbContext> options) : PlainModelDbContext(options)
{
    // The same DateTimeOffset-as-UTC-ticks convention as SqliteGovernanceDbContext, so the column holds the same values.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks, ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
}

internal sealed class PostgreSqlPlainModelDbContext(DbContextOptions<PostgreSqlPlainModelDbContext> options) : PlainModelDbContext(options);
