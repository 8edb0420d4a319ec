namespace GovernancePortal.Registry;

public sealed class MetricComparisonTests
{
    private static MeasuredMetric M(string name, double value, double? threshold = null, bool higherIsBetter = true, string slice = "overall") =>
        new(name, "holdout", slice, value, threshold, higherIsBetter);

    [Theory]
    [InlineData(0.82, 0.80, true, MetricTrend.Better)]
    [InlineData(0.78, 0.80, true, MetricTrend.Worse)]
    [InlineData(0.10, 0.12, false, MetricTrend.Better)]
    [InlineData(0.14, 0.12, false, MetricTrend.Worse)]
    [InlineData(0.80, 0.80, true, MetricTrend.Same)]
    public void The_trend_respects_the_metrics_direction(double candidate, double production, bool higherIsBetter, MetricTrend trend)
    {
        var row = MetricComparison.Compare([M("m", candidate, higherIsBetter: higherIsBetter)], [M("m", production, higherIsBetter: higherIsBetter)]).Single();

        Assert.Equal(trend, row.Trend);
        Assert.Equal(candidate - production, row.Delta!.Value, 10);
        Assert.Equal(production, row.Baseline);
    }

    [Theory]
    [InlineData(0.75, 0.75, true, true)]
    [InlineData(0.74, 0.75, true, false)]
    [InlineData(0.05, 0.05, false, true)]
    [InlineData(0.06, 0.05, false, false)]
    public void Thresholds_pass_at_the_boundary_in_the_metrics_direction(double value, double threshold, bool higherIsBetter, bool passes) =>
        Assert.Equal(passes, MetricComparison.Compare([M("m", value, threshold, higherIsBetter)], []).Single().PassesThreshold);

    [Fact]
    public void Metrics_without_a_production_counterpart_have_no_baseline_and_slices_are_matched_separately()
    {
        var rows = MetricComparison.Compare(
            [M("auc", 0.8), M("auc", 0.7, slice: "age<25"), M("recall", 0.6)],
            [M("auc", 0.79), M("auc", 0.72, slice: "age>65")]);

        Assert.Equal([MetricTrend.Better, MetricTrend.NoBaseline, MetricTrend.NoBaseline], rows.Select(r => r.Trend));
        Assert.Null(rows[2].PassesThreshold);
    }
}
