namespace GovernancePortal.Reports;

/// <summary><c>report verify &lt;file&gt;</c>: exit 0 when the file is a genuine report of this portal, 1 otherwise, one line saying why.</summary>
public static class ReportCommands
{
    public static async Task<int> VerifyAsync(IServiceProvider services, string path, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            await output.WriteLineAsync($"Unknown: there is no file {path}.");
            return 1;
        }
        var result = await services.GetRequiredService<ReportVerifier>().VerifyAsync(await File.ReadAllBytesAsync(path, cancellationToken), cancellationToken);
        await output.WriteLineAsync(result.Reason);
        return result.Genuine ? 0 : 1;
    }
}
