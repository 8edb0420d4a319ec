namespace GovernancePortal.Registry;

/// <summary>A metric as compared across versions.</summary>
public sealed record MeasuredMetric(string Name, string Dataset, string Slice, double Value, double? Threshold, bool HigherIsBetter);

public enum MetricTrend
{
    NoBaseline,
    Same,
    Better,
    Worse,
}

/// <summary>One metric of a candidate version beside the same metric of the version in production.</summary>
public sealed record MetricComparisonRow(MeasuredMetric Candidate, double? Baseline, double? Delta, MetricTrend Trend, bool? PassesThreshold);

public static class MetricComparison
{
    /// <summary>Pairs each candidate metric with production's same name, dataset and slice; deltas are candidate minus production.</summary>
    public static IReadOnlyList<MetricComparisonRow> Compare(IEnumerable<MeasuredMetric> candidate, IEnumerable<MeasuredMetric> production)
    {
        var baseline = production.ToDictionary(m => (m.Name, m.Dataset, m.Slice));
        return candidate
            .OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Dataset, StringComparer.Ordinal)
            .ThenBy(m => m.Slice == "overall" ? "" : m.Slice, StringComparer.Ordinal)
            .Select(m =>
            {
                var passes = m.Threshold is { } t ? (m.HigherIsBetter ? m.Value >= t : m.Value <= t) : (bool?)null;
                if (!baseline.TryGetValue((m.Name, m.Dataset, m.Slice), out var before))
                {
                    return new MetricComparisonRow(m, null, null, MetricTrend.NoBaseline, passes);
                }
                var delta = m.Value - before.Value;
                // Differences below a millionth of the magnitude are rounding, not change.
                var trend = Math.Abs(delta) <= 1e-6 * Math.Max(1, Math.Abs(before.Value)) ? MetricTrend.Same
                    : (delta > 0) == m.HigherIsBetter ? MetricTrend.Better : MetricTrend.Worse;
                return new MetricComparisonRow(m, before.Value, delta, trend, passes);
            })
            .ToList();
    }
}
