namespace GovernancePortal.Registry;

public sealed class VersionNumberTests
{
    [Theory]
    [InlineData("0.0.0", 0, 0, 0)]
    [InlineData("1.2.3", 1, 2, 3)]
    [InlineData("10.20.30", 10, 20, 30)]
    [InlineData("2147483647.0.1", int.MaxValue, 0, 1)]
    public void Valid_numbers_parse(string text, int major, int minor, int pipeline)
    {
        Assert.True(VersionNumber.TryParse(text, out var version));
        Assert.Equal(new VersionNumber(major, minor, pipeline), version);
        Assert.Equal(text, version.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("1.02.3")]
    [InlineData("01.2.3")]
    [InlineData("-1.2.3")]
    [InlineData("+1.2.3")]
    [InlineData("1.2.3 ")]
    [InlineData(" 1.2.3")]
    [InlineData("1..3")]
    [InlineData("a.b.c")]
    [InlineData("1.2.3-beta")]
    [InlineData("١.٢.٣")]
    [InlineData("2147483648.0.0")]
    [InlineData("99999999999999999999.0.0")]
    public void Malformed_numbers_are_rejected(string? text)
    {
        Assert.False(VersionNumber.TryParse(text, out _));
    }

    [Fact]
    public void Ordering_is_numeric_not_textual()
    {
        VersionNumber.TryParse("1.10.0", out var later);
        VersionNumber.TryParse("1.9.0", out var earlier);

        Assert.True(later > earlier);
        Assert.Equal(["1.2.9", "1.9.0", "1.10.0", "2.0.0"],
            new[] { "2.0.0", "1.10.0", "1.2.9", "1.9.0" }.Select(t => { VersionNumber.TryParse(t, out var v); return v!.Value; }).Order().Select(v => v.ToString()));
    }

    [Theory]
    [InlineData("1.4.2", ChangeKind.IncompatibleDataChange, "2.0.0")]
    [InlineData("1.4.2", ChangeKind.ImprovedModel, "1.5.0")]
    [InlineData("1.4.2", ChangeKind.PipelineChange, "1.4.3")]
    public void The_change_kind_decides_which_part_moves(string current, ChangeKind kind, string expected)
    {
        VersionNumber.TryParse(current, out var version);

        Assert.Equal(expected, version!.Value.Next(kind).ToString());
    }
}
