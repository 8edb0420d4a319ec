using System.Reflection;

namespace GovernancePortal.Hosting;

public static class BuildInfo
{
    /// <summary>The informational version stamped at build time (version and, when known, commit).</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The version with the commit shortened, as people quote it.</summary>
    public static string ShortVersion { get; } = Version.IndexOf('+') is var plus and > 0 && Version.Length > plus + 8
        ? Version[..(plus + 8)]
        : Version;
}
