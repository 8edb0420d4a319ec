using System.Reflection;

namespace GovernancePortal.Hosting;

public static class BuildInfo
{
    /// <summary>The informational version stamped at build time (version and, when known, commit).</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
