namespace GovernancePortal.Bench;

public sealed record SeedOptions(int Models, int VersionsPerModel, int MetricsPerVersion, int RandomSeed)
{
    public const string Usage = """
        Usage: CatalogueSeeder [--models 10000] [--versions 10] [--metrics 3] [--random-seed 42] [host settings...]
          host settings are the portal's, e.g. --Database:Provider=PostgreSql "--ConnectionStrings:Governance=Host=..."
        """;

    /// <summary>The seeder's own options; everything else is handed to the host builder as the portal would get it.</summary>
    public static (SeedOptions? Options, string[] HostArguments) Parse(string[] args)
    {
        var options = new SeedOptions(10_000, 10, 3, 42);
        var host = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--models" or "--versions" or "--metrics" or "--random-seed")
            {
                if (i + 1 >= args.Length || !int.TryParse(args[++i], out var value) || value < (name == "--random-seed" ? 0 : 1))
                {
                    return (null, []);
                }
                options = name switch
                {
                    "--models" => options with { Models = value },
                    "--versions" => options with { VersionsPerModel = value },
                    "--metrics" => options with { MetricsPerVersion = Math.Min(value, CatalogueGenerator.MetricKinds) },
                    _ => options with { RandomSeed = value },
                };
            }
            else if (name is "-h" or "--help")
            {
                return (null, []);
            }
            else
            {
                host.Add(name);
            }
        }
        return (options, [.. host]);
    }
}
