using GovernancePortal.Testing;

namespace GovernancePortal.Data;

// Generating a script needs no database, so this runs without one.
public sealed class SchemaScriptTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void The_committed_sql_script_matches_the_migrations(DatabaseProvider provider)
    {
        var path = Path.Combine(RepositoryPaths.Root, "db", SchemaScripts.FileNames[provider]);

        var committed = File.ReadAllText(path).ReplaceLineEndings("\n");

        Assert.True(committed == SchemaScripts.Generate(provider),
            $"{path} is stale. Regenerate it: dotnet run --project src/GovernancePortal.Web -- schema-script");
    }
}
