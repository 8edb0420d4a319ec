using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class MarkdownSourceTests
{
    [Theory]
    [InlineData("# A", 3, "### A")]
    [InlineData("## B\n\ntext\n\n# C", 3, "#### B\n\ntext\n\n### C")]
    [InlineData("#### Deep", 4, "###### Deep")]
    [InlineData("## Already deep enough", 1, "## Already deep enough")]
    [InlineData("  # Indented", 2, "  ## Indented")]
    [InlineData("# Closed #", 2, "## Closed #")]
    [InlineData("> # Quoted", 3, "> ### Quoted")]
    [InlineData("- # In a list", 3, "- ### In a list")]
    [InlineData("Title\n=====\n\nbody", 3, "### Title\n\nbody")]
    [InlineData("Two line\ntitle\n---", 2, "### Two line title")]
    [InlineData("no headings here", 3, "no headings here")]
    [InlineData("", 3, "")]
    public void Headings_are_demoted_to_the_given_level(string markdown, int topLevel, string expected)
    {
        Assert.Equal(expected, MarkdownSource.DemoteHeadings(markdown, topLevel));
    }

    [Fact]
    public void Code_blocks_are_left_alone()
    {
        const string markdown = "```\n# not a heading\n```\n\n    # indented code\n\n# Real";

        Assert.Equal("```\n# not a heading\n```\n\n    # indented code\n\n### Real", MarkdownSource.DemoteHeadings(markdown, 3));
    }

    [Fact]
    public void Text_too_deeply_nested_to_parse_is_returned_unchanged()
    {
        var markdown = "# Title\n\n" + new string('>', 5_000) + " x";

        Assert.Equal(markdown, MarkdownSource.DemoteHeadings(markdown, 3));
    }

    [Fact]
    public void Demoted_headings_never_go_past_level_6()
    {
        var demoted = MarkdownSource.DemoteHeadings("#### Four\n\n###### Six", 5);

        Assert.Equal("###### Four\n\n###### Six", demoted);
    }

    [Theory]
    [InlineData("plain words 123", "plain words 123")]
    [InlineData("a|b", "a\\|b")]
    [InlineData("*bold* _em_ [link](x) <b>", "\\*bold\\* \\_em\\_ \\[link\\](x) \\<b\\>")]
    [InlineData("~~gone~~ &copy; $x$ `code` a\\b", "\\~\\~gone\\~\\~ \\&copy; \\$x\\$ \\`code\\` a\\\\b")]
    [InlineData("1.4.0: ok - fine", "1.4.0: ok - fine")]
    [InlineData("two\nlines", "two lines")]
    [InlineData("Zoë – naïve", "Zoë – naïve")]
    [InlineData(null, "")]
    public void Inline_text_is_escaped_to_show_as_typed(string? text, string expected)
    {
        Assert.Equal(expected, MarkdownSource.EscapeInline(text));
    }

    [Fact]
    public void Escaped_text_renders_as_the_original_text()
    {
        const string text = "a | b *c* [d](javascript:e) <script> `f` # g &amp; ~~h~~ \\";

        var html = SafeMarkdown.ToHtml("x " + MarkdownSource.EscapeInline(text));

        Assert.Equal("<p>x a | b *c* [d](javascript:e) &lt;script&gt; `f` # g &amp;amp; ~~h~~ \\</p>\n", html);
    }
}
