using System.Text;
using Markdig;
using Markdig.Syntax;

namespace GovernancePortal.Registry;

/// <summary>Edits Markdown as text, for exports that embed a section's Markdown inside a larger document.</summary>
public static class MarkdownSource
{
    private static readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    /// <summary>
    /// Rewrites headings so that none is above <paramref name="topLevel"/> ("# A" becomes "### A" for level 3),
    /// keeping their order; a heading pushed past level 6 stays at 6. Setext headings ("A" over "===") at the top
    /// level become ATX headings. Text in code blocks is left alone, and so is text too deeply nested to parse.
    /// </summary>
    public static string DemoteHeadings(string markdown, int topLevel)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentOutOfRangeException.ThrowIfLessThan(topLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(topLevel, 6);
        var shift = topLevel - 1;
        if (shift == 0 || markdown.Length == 0)
        {
            return markdown;
        }
        if (LooksTooDeep(markdown) || SafeMarkdown.Parse(markdown, _pipeline) is not { } document)
        {
            return markdown;
        }
        // Edits go from the end so earlier offsets stay valid.
        var headings = document.Descendants<HeadingBlock>().OrderByDescending(h => h.Span.Start).ToList();
        var text = new StringBuilder(markdown);
        foreach (var heading in headings)
        {
            var level = Math.Min(6, heading.Level + shift);
            var start = heading.Span.Start;
            if (heading.IsSetext)
            {
                if (heading.Parent is MarkdownDocument)
                {
                    ReplaceSetext(text, markdown, heading, level);
                }
                continue;
            }
            var hashes = 0;
            while (start + hashes < markdown.Length && markdown[start + hashes] == '#')
            {
                hashes++;
            }
            if (hashes == heading.Level)
            {
                text.Remove(start, hashes).Insert(start, new string('#', level));
            }
        }
        return text.ToString();
    }

    private static void ReplaceSetext(StringBuilder text, string markdown, HeadingBlock heading, int level)
    {
        var start = heading.Span.Start;
        var end = Math.Min(heading.Span.End, markdown.Length - 1);
        var source = markdown.Substring(start, end - start + 1);
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        // The last line is the === or --- underline.
        var content = string.Join(' ', lines.Take(lines.Length - 1).Select(l => l.Trim()).Where(l => l.Length > 0));
        text.Remove(start, end - start + 1).Insert(start, new string('#', level) + " " + content);
    }

    /// <summary>How many quote and list levels one line may open; real documents use a handful.</summary>
    internal const int MaxNesting = 32;

    /// <summary>
    /// A cheap check, before Markdig sees the text, for nesting that makes its parser slow (seconds for 20,000
    /// characters) or hit its depth limit: a line that opens more than <see cref="MaxNesting"/> quote or list
    /// levels, or is indented by more than four columns per allowed level.
    /// </summary>
    internal static bool LooksTooDeep(string markdown)
    {
        foreach (var line in markdown.AsSpan().EnumerateLines())
        {
            var depth = 0;
            var indent = 0;
            var i = 0;
            while (i < line.Length)
            {
                var c = line[i];
                if (c == ' ')
                {
                    indent++;
                    i++;
                }
                else if (c == '\t')
                {
                    indent += 4;
                    i++;
                }
                else if (c == '>')
                {
                    depth++;
                    i++;
                }
                else if (c is '-' or '+' or '*' && i + 1 < line.Length && line[i + 1] is ' ' or '\t')
                {
                    depth++;
                    i += 2;
                }
                else if (char.IsAsciiDigit(c) && OrderedMarkerLength(line[i..]) is > 0 and var length)
                {
                    depth++;
                    i += length;
                }
                else
                {
                    break;
                }
            }
            if (depth > MaxNesting || indent > 4 * MaxNesting)
            {
                return true;
            }
        }
        return false;
    }

    // "12. " or "3) ": up to nine digits, a dot or bracket, then a space or tab.
    private static int OrderedMarkerLength(ReadOnlySpan<char> text)
    {
        var digits = 0;
        while (digits < text.Length && digits < 10 && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }
        return digits is > 0 and <= 9 && digits + 1 < text.Length && text[digits] is '.' or ')' && text[digits + 1] is ' ' or '\t'
            ? digits + 2
            : 0;
    }

    /// <summary>
    /// Escapes plain text (a name, a dataset, a table cell) so Markdown shows it as typed, for use after other text
    /// on the same line (a list marker, a cell border): the characters that act anywhere in a line are
    /// backslash-escaped (emphasis, code, links, HTML, entities, table borders, strike-through, math), and line
    /// breaks become spaces. Characters that act only at the start of a line (#, -, 1.) are left as they are.
    /// </summary>
    public static string EscapeInline(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append(' ');
            }
            else
            {
                if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '~' or '&' or '$')
                {
                    builder.Append('\\');
                }
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
