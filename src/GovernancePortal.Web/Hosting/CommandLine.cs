namespace GovernancePortal.Hosting;

/// <summary>Splits the command line into a portal command (with its own options) and the host's arguments.</summary>
public sealed record CommandLine(IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Options, string[] HostArguments)
{
    private static readonly HashSet<string> CommandOptions = ["--user", "--name", "--output", "--key"];
    // Options without a value, kept as "true".
    private static readonly HashSet<string> CommandFlags = ["--incremental"];

    public bool HasCommand => Command.Count > 0;

    public static CommandLine Parse(string[] args)
    {
        var command = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var host = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (CommandOptions.Contains(arg) && i + 1 < args.Length)
            {
                options[arg[2..]] = args[++i];
            }
            else if (CommandFlags.Contains(arg))
            {
                options[arg[2..]] = "true";
            }
            else if (arg.StartsWith('-'))
            {
                host.Add(arg);
                // "--urls http://..." keeps its value with it.
                if (!arg.Contains('=') && i + 1 < args.Length && !args[i + 1].StartsWith('-'))
                {
                    host.Add(args[++i]);
                }
            }
            else
            {
                command.Add(arg);
            }
        }
        return new CommandLine(command, options, [.. host]);
    }
}
