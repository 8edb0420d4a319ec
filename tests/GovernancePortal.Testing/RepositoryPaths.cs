namespace GovernancePortal.Testing;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Artifacts(string name)
    {
        var path = Path.Combine(Root, "artifacts", name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GovernancePortal.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The tests run from outside the repository.");
    }
}
