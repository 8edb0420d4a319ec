using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace GovernancePortal.Data;

/// <summary>Each provider's SQL script of all migrations, kept in db/ for DBAs; a test keeps it fresh.</summary>
public static class SchemaScripts
{
    public static IReadOnlyDictionary<DatabaseProvider, string> FileNames { get; } = new Dictionary<DatabaseProvider, string>
    {
        [DatabaseProvider.Sqlite] = "sqlite/schema.sql",
        [DatabaseProvider.PostgreSql] = "postgresql/schema.sql",
    };

    public static string Generate(DatabaseProvider provider)
    {
        using GovernanceDbContext db = provider switch
        {
            DatabaseProvider.PostgreSql => new PostgreSqlDesignTimeFactory().CreateDbContext([]),
            _ => new SqliteDesignTimeFactory().CreateDbContext([]),
        };
        // SQLite cannot make idempotent scripts; its script applies every migration from an empty database.
        var options = provider == DatabaseProvider.PostgreSql ? MigrationsSqlGenerationOptions.Idempotent : MigrationsSqlGenerationOptions.Default;
        var script = db.GetService<IMigrator>().GenerateScript(options: options);
        return script.ReplaceLineEndings("\n");
    }

    public static IEnumerable<string> WriteAll(string folder)
    {
        foreach (var (provider, name) in FileNames)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Generate(provider));
            yield return path;
        }
    }

    /// <summary>The repository's db/ folder, found by walking up from the working directory.</summary>
    public static string DefaultFolder()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GovernancePortal.sln")))
            {
                return Path.Combine(dir.FullName, "db");
            }
        }
        throw new InvalidOperationException("Run from inside the repository, or pass --output <folder>.");
    }
}
