using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class ModelCardDiffTests
{
    private static string Render(IEnumerable<DiffLine> lines) =>
        string.Join("\n", lines.Select(l => l.Kind switch
        {
            DiffLineKind.Added => "+" + l.Text,
            DiffLineKind.Removed => "-" + l.Text,
            _ => " " + l.Text,
        }));

    [Fact]
    public void Identical_cards_have_no_differences()
    {
        Assert.Empty(ModelCardDiff.Compare(CardTestData.Complete(), CardTestData.Complete()));
    }

    [Fact]
    public void Only_changed_sections_are_listed_in_card_order()
    {
        var older = CardTestData.Complete();
        var newer = older with { License = "MIT", Overview = older.Overview + "\n\nNow also for car loans." };

        var diffs = ModelCardDiff.Compare(older, newer);

        Assert.Equal([ModelCardSection.Overview, ModelCardSection.License], diffs.Select(d => d.Section));
        Assert.Equal("Overview", diffs[0].Title);
    }

    [Fact]
    public void A_changed_line_shows_as_removed_then_added_with_line_numbers()
    {
        var lines = ModelCardDiff.DiffLines("one\ntwo\nthree", "one\n2\nthree");

        Assert.Equal(" one\n-two\n+2\n three", Render(lines));
        Assert.Equal<DiffLine>(
        [
            new DiffLine(DiffLineKind.Unchanged, "one", 1, 1),
            new DiffLine(DiffLineKind.Removed, "two", 2, null),
            new DiffLine(DiffLineKind.Added, "2", null, 2),
            new DiffLine(DiffLineKind.Unchanged, "three", 3, 3),
        ], lines);
    }

    [Theory]
    [InlineData("", "a\nb", "+a\n+b")]
    [InlineData("a\nb", "", "-a\n-b")]
    [InlineData("a\nb\nc", "a\nc", " a\n-b\n c")]
    [InlineData("a\nc", "a\nb\nc", " a\n+b\n c")]
    [InlineData("a\nb\nc\nd", "b\nc\nd\ne", "-a\n b\n c\n d\n+e")]
    [InlineData("x\n\ny", "x\n\n\ny", " x\n \n+\n y")]
    public void Line_diffs_are_minimal(string older, string newer, string expected)
    {
        Assert.Equal(expected, Render(ModelCardDiff.DiffLines(older, newer)));
    }

    [Fact]
    public void Line_endings_alone_are_not_a_change()
    {
        var older = ModelCard.Empty with { Limitations = "first\r\nsecond" };
        var newer = ModelCard.Empty with { Limitations = "first\nsecond" };

        Assert.Empty(ModelCardDiff.Compare(older, newer));
    }

    [Fact]
    public void Risks_and_contacts_are_compared_as_lines()
    {
        var older = CardTestData.Complete();
        var newer = older with
        {
            EthicalConsiderations = older.EthicalConsiderations.SetItem(1,
                new EthicalConsideration("Over-reliance on the score by officers", "Quarterly review of overrides.")),
            Contacts = older.Contacts.Add(new ModelCardContact("Sam Lee", "sam@example.org", "Reviewer")),
        };

        var diffs = ModelCardDiff.Compare(older, newer);

        var risks = Assert.Single(diffs, d => d.Section == ModelCardSection.EthicalConsiderations);
        Assert.Equal(["-Mitigation: Officers must record a reason when they follow the score.", "+Mitigation: Quarterly review of overrides."],
            risks.Lines.Where(l => l.Kind != DiffLineKind.Unchanged).Select(l => Render([l])));
        var contacts = Assert.Single(diffs, d => d.Section == ModelCardSection.Contacts);
        Assert.Equal((1, 0), (contacts.Added, contacts.Removed));
        Assert.Equal("Sam Lee <sam@example.org> (Reviewer)", contacts.Lines[^1].Text);
    }

    [Fact]
    public void Side_by_side_rows_pair_removed_with_added_lines()
    {
        var diff = new SectionDiff(ModelCardSection.Limitations,
            ModelCardDiff.DiffLines("keep\nold 1\nold 2\nend", "keep\nnew 1\nend\nextra"));

        var rows = diff.SideBySide();

        Assert.Equal(
        [
            ("keep", "keep"),
            ("old 1", "new 1"),
            ("old 2", null),
            ("end", "end"),
            (null, "extra"),
        ], rows.Select(r => (r.Old?.Text, r.New?.Text)));
    }

    [Fact]
    public void Applying_the_diff_rebuilds_both_texts_and_keeps_the_longest_common_lines()
    {
        var random = new Random(20250301);
        for (var round = 0; round < 300; round++)
        {
            var older = RandomLines(random);
            var newer = RandomLines(random);

            var lines = ModelCardDiff.DiffLines(string.Join('\n', older), string.Join('\n', newer));

            Assert.Equal(older, lines.Where(l => l.Kind != DiffLineKind.Added).Select(l => l.Text));
            Assert.Equal(newer, lines.Where(l => l.Kind != DiffLineKind.Removed).Select(l => l.Text));
            Assert.Equal(LongestCommonSubsequence(older, newer), lines.Count(l => l.Kind == DiffLineKind.Unchanged));
            Assert.Equal(Enumerable.Range(1, older.Length).Cast<int?>(), lines.Where(l => l.OldNumber is not null).Select(l => l.OldNumber));
            Assert.Equal(Enumerable.Range(1, newer.Length).Cast<int?>(), lines.Where(l => l.NewNumber is not null).Select(l => l.NewNumber));
        }
    }

    [Fact]
    public void Long_sections_diff_quickly()
    {
        var older = string.Join('\n', Enumerable.Range(0, 10_000).Select(i => $"line {i}"));
        var newer = string.Join('\n', Enumerable.Range(0, 10_000).Select(i => i % 500 == 0 ? $"changed {i}" : $"line {i}"));

        var lines = ModelCardDiff.DiffLines(older, newer);

        Assert.Equal(20, lines.Count(l => l.Kind == DiffLineKind.Added));
    }

    // Lines from a small alphabet, so the texts share lines in many orders.
    private static string[] RandomLines(Random random) =>
        [.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => ((char)('a' + random.Next(0, 4))).ToString())];

    private static int LongestCommonSubsequence(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                table[i, j] = a[i - 1] == b[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }
        return table[a.Length, b.Length];
    }
}
