using System.Globalization;
using System.Text;
using CsvHelper;

namespace GovernancePortal.Retirement;

/// <summary>
/// Something due on a model version on a date: a retirement, or a periodic review (issue 15, item 4). <see cref="Status"/> is the camel-case status word the API uses ("overdue", "due", "scheduled"…).
/// </summary>
public sealed record UpcomingItem(string Kind, DateOnly Date, string Status, string ModelKey, string ModelName, string Version, string Owner, string Team,
    string Detail, string Link);

/// <summary>A kind of dated obligation the upcoming page lists: every open one due up to <c>until</c>, overdue ones included.</summary>
public interface IUpcomingSource
{
    Task<IReadOnlyList<UpcomingItem>> UpcomingAsync(DateOnly until, CancellationToken cancellationToken);
}

/// <summary>Open retirement plans (scheduled or retiring) as upcoming items.</summary>
public sealed class UpcomingRetirements(RetirementService retirements) : IUpcomingSource
{
    public const string Kind = "Retirement";

    public async Task<IReadOnlyList<UpcomingItem>> UpcomingAsync(DateOnly until, CancellationToken cancellationToken) =>
        (await retirements.UpcomingAsync(until, cancellationToken)).Select(p => new UpcomingItem(Kind, p.Plan.PlannedDate, RetirementApi.Name(p.Status),
            p.ModelKey, p.ModelName, p.Version, p.Owner, p.Team,
            $"{RetirementService.Describe(p.Plan.Reason)}; " + (p.Successor is { } s ? $"successor {s} ({p.SuccessorStage})" : $"no successor: {p.Plan.NoSuccessorReason}"),
            RetirementService.Link(p.ModelKey, p.Version))).ToList();
}

/// <summary>What the upcoming page and its CSV export list, filtered the same way.</summary>
public sealed record UpcomingFilter(int Days = UpcomingFilter.DefaultDays, string? Status = null, string? Team = null, string? Search = null, string? Kind = null)
{
    /// <summary>The kinds of item the list can be narrowed to.</summary>
    public static readonly IReadOnlyList<string> Kinds = [UpcomingRetirements.Kind, "Review"];

    public const int DefaultDays = 90;
    public static readonly IReadOnlyList<int> Windows = [30, 90, 180, 365];

    public bool Matches(UpcomingItem item) =>
        (Status is null || item.Status == Status)
        && (Kind is null || item.Kind == Kind)
        && (Team is null || item.Team == Team)
        && (string.IsNullOrWhiteSpace(Search) || $"{item.ModelKey} {item.ModelName} {item.Version} {item.Owner} {item.Detail}".Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase));

    public string Query() => string.Join('&', new[]
    {
        Days == DefaultDays ? null : $"days={Days}",
        Kind is null ? null : $"kind={Uri.EscapeDataString(Kind)}",
        Status is null ? null : $"status={Uri.EscapeDataString(Status)}",
        Team is null ? null : $"team={Uri.EscapeDataString(Team)}",
        string.IsNullOrWhiteSpace(Search) ? null : $"q={Uri.EscapeDataString(Search.Trim())}",
    }.OfType<string>());
}

/// <summary>The upcoming list from every source, soonest first.</summary>
public sealed class UpcomingList(IEnumerable<IUpcomingSource> sources, TimeProvider clock)
{
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task<IReadOnlyList<UpcomingItem>> ListAsync(UpcomingFilter filter, CancellationToken cancellationToken = default)
    {
        var until = Today.AddDays(Math.Clamp(filter.Days, 1, 3660));
        var items = new List<UpcomingItem>();
        foreach (var source in sources)
        {
            items.AddRange(await source.UpcomingAsync(until, cancellationToken));
        }
        return items.Where(filter.Matches).OrderBy(i => i.Date).ThenBy(i => i.ModelKey, StringComparer.Ordinal).ThenBy(i => i.Kind, StringComparer.Ordinal).ToList();
    }

    private static readonly string[] Header = ["date", "kind", "status", "model", "modelName", "version", "owner", "team", "detail", "link"];

    /// <summary>RFC 4180 (CsvHelper); a cell a spreadsheet would run as a formula starts with an apostrophe.</summary>
    public static async Task WriteCsvAsync(IReadOnlyList<UpcomingItem> items, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader(Header);
        foreach (var i in items)
        {
            await csv.WriteRecordAsync(new[]
            {
                i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), i.Kind, i.Status, i.ModelKey, i.ModelName, i.Version, i.Owner, i.Team, i.Detail, i.Link,
            }.Select(Safe).ToArray(), cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    private static string Safe(string cell) => cell.Length > 0 && "=+-@\t\r".Contains(cell[0]) ? "'" + cell : cell;
}
