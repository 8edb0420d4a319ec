using System.Collections.Immutable;
using DiffPlex;

namespace GovernancePortal.Registry;

public enum DiffLineKind
{
    Unchanged = 0,
    Added = 1,
    Removed = 2,
}

/// <summary>
/// One line of a section diff. <paramref name="OldNumber"/> and <paramref name="NewNumber"/> are 1-based line
/// numbers in the older and newer text; an added line has no old number and a removed line no new number.
/// </summary>
public sealed record DiffLine(DiffLineKind Kind, string Text, int? OldNumber, int? NewNumber);

/// <summary>A row of a side-by-side view: a removed line faces the added line that replaced it.</summary>
public sealed record SideBySideRow(DiffLine? Old, DiffLine? New);

public sealed record SectionDiff(ModelCardSection Section, ImmutableArray<DiffLine> Lines)
{
    public string Title => Section.Title();

    public int Added => Lines.Count(l => l.Kind == DiffLineKind.Added);

    public int Removed => Lines.Count(l => l.Kind == DiffLineKind.Removed);

    /// <summary>
    /// Pairs the lines for two columns: unchanged lines face themselves, and within each run of changes the
    /// removed lines face the added lines in order, the shorter side padded with nulls.
    /// </summary>
    public IReadOnlyList<SideBySideRow> SideBySide()
    {
        var rows = new List<SideBySideRow>();
        var removed = new List<DiffLine>();
        var added = new List<DiffLine>();
        void Flush()
        {
            for (var i = 0; i < Math.Max(removed.Count, added.Count); i++)
            {
                rows.Add(new SideBySideRow(i < removed.Count ? removed[i] : null, i < added.Count ? added[i] : null));
            }
            removed.Clear();
            added.Clear();
        }
        foreach (var line in Lines)
        {
            switch (line.Kind)
            {
                case DiffLineKind.Removed:
                    removed.Add(line);
                    break;
                case DiffLineKind.Added:
                    added.Add(line);
                    break;
                default:
                    Flush();
                    rows.Add(new SideBySideRow(line, line));
                    break;
            }
        }
        Flush();
        return rows;
    }
}

/// <summary>Line-by-line differences between two revisions of a card, section by section.</summary>
public static class ModelCardDiff
{
    /// <summary>The sections whose content differs, in card order; unchanged sections are left out.</summary>
    public static IReadOnlyList<SectionDiff> Compare(ModelCard older, ModelCard newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var diffs = new List<SectionDiff>();
        foreach (var info in ModelCardSections.All)
        {
            var lines = DiffLines(SectionText(older, info.Section), SectionText(newer, info.Section));
            if (lines.Any(l => l.Kind != DiffLineKind.Unchanged))
            {
                diffs.Add(new SectionDiff(info.Section, lines));
            }
        }
        return diffs;
    }

    /// <summary>
    /// The section as lines of text, as the diff compares it: text sections as written, each risk as a "Risk:"
    /// line and a "Mitigation:" line, each contact on one line.
    /// </summary>
    public static string SectionText(ModelCard card, ModelCardSection section) => section switch
    {
        ModelCardSection.EthicalConsiderations => string.Join('\n', card.EthicalConsiderations.Select(p =>
            $"Risk: {p.Risk}\nMitigation: {p.Mitigation}")),
        ModelCardSection.Contacts => string.Join('\n', card.Contacts.Select(c =>
            c.Name
            + (c.Email is null ? "" : $" <{c.Email}>")
            + (c.Role is null ? "" : $" ({c.Role})"))),
        _ => card.GetText(section),
    };

    /// <summary>A minimal line diff (Myers, through DiffPlex) of two texts; line endings do not count as changes.</summary>
    public static ImmutableArray<DiffLine> DiffLines(string older, string newer)
    {
        var oldLines = SplitLines(older);
        var newLines = SplitLines(newer);
        var result = Differ.Instance.CreateDiffs(string.Join('\n', oldLines), string.Join('\n', newLines),
            ignoreWhiteSpace: false, ignoreCase: false, NewlineChunker.Instance);

        var lines = ImmutableArray.CreateBuilder<DiffLine>(oldLines.Length + newLines.Length);
        int oldIndex = 0, newIndex = 0;
        void Unchanged(int untilOld)
        {
            while (oldIndex < untilOld)
            {
                lines.Add(new DiffLine(DiffLineKind.Unchanged, oldLines[oldIndex], oldIndex + 1, newIndex + 1));
                oldIndex++;
                newIndex++;
            }
        }
        foreach (var block in result.DiffBlocks)
        {
            Unchanged(block.DeleteStartA);
            for (var i = 0; i < block.DeleteCountA; i++, oldIndex++)
            {
                lines.Add(new DiffLine(DiffLineKind.Removed, oldLines[oldIndex], oldIndex + 1, null));
            }
            for (var i = 0; i < block.InsertCountB; i++, newIndex++)
            {
                lines.Add(new DiffLine(DiffLineKind.Added, newLines[newIndex], null, newIndex + 1));
            }
        }
        Unchanged(oldLines.Length);
        return lines.ToImmutable();
    }

    // An empty text has no lines (not one empty line), so adding a first paragraph shows only additions.
    private static string[] SplitLines(string text) =>
        text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');

    // Splits exactly as SplitLines did (on '\n' only), so DiffPlex's line indexes are ours.
    private sealed class NewlineChunker : IChunker
    {
        public static readonly NewlineChunker Instance = new();

        public IReadOnlyList<string> Chunk(string text) => text.Length == 0 ? [] : text.Split('\n');
    }
}
