namespace GovernancePortal.Querying;

/// <summary>Sort and page as the URL carries them (<c>?sort=name&amp;dir=desc&amp;page=2</c>), clamped to sane values.</summary>
public sealed record TableState(string? Sort, bool Descending, int Page, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static TableState From(string? sort, string? dir, int? page, int? pageSize, IReadOnlyCollection<string> sortable, string defaultSort) =>
        new(sort is not null && sortable.Contains(sort) ? sort : defaultSort,
            string.Equals(dir, "desc", StringComparison.OrdinalIgnoreCase),
            Math.Max(1, page ?? 1),
            Math.Clamp(pageSize ?? DefaultPageSize, 1, MaxPageSize));

    // In long: ?page=2147483647 would overflow into a negative offset, which the database refuses.
    public int Skip => (int)Math.Min(int.MaxValue, (Page - 1L) * PageSize);
}

public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Total, TableState State)
{
    public int PageCount => Math.Max(1, (int)Math.Ceiling(Total / (double)State.PageSize));
    public int FirstShown => Total == 0 ? 0 : State.Skip + 1;
    public int LastShown => Math.Min(Total, State.Skip + Items.Count);
}

public static class PagingExtensions
{
    public static async Task<PagedResult<T>> ToPagedAsync<T>(this IQueryable<T> query, TableState state, CancellationToken cancellationToken = default)
    {
        var total = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(query, cancellationToken);
        var items = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            query.Skip(state.Skip).Take(state.PageSize), cancellationToken);
        return new PagedResult<T>(items, total, state);
    }
}
