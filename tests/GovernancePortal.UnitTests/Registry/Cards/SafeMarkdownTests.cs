using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class SafeMarkdownTests
{
    private static IDocument Parse(string html) => new HtmlParser().ParseDocument($"<html><body>{html}</body></html>");

    [Fact]
    public void Ordinary_markdown_renders()
    {
        var html = SafeMarkdown.ToHtml("Some **bold** and *italic* text with ~~strike~~.\n\n- one\n- two");

        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<em>italic</em>", html);
        Assert.Contains("<del>strike</del>", html);
        Assert.Contains("<li>two</li>", html);
    }

    [Fact]
    public void Pipe_tables_render()
    {
        var document = Parse(SafeMarkdown.ToHtml("| Group | Recall |\n|---|---:|\n| 18-25 | 0.71 |"));

        Assert.Equal(["Group", "Recall"], document.QuerySelectorAll("th").Select(c => c.TextContent));
        Assert.Equal(["18-25", "0.71"], document.QuerySelectorAll("td").Select(c => c.TextContent));
    }

    [Theory]
    [InlineData("https://example.org/report", "https://example.org/report")]
    [InlineData("www.example.org", "https://www.example.org")]
    [InlineData("mail <jane@example.org> please", "mailto:jane@example.org")]
    public void Plain_urls_become_links(string markdown, string href)
    {
        var link = Assert.Single(Parse(SafeMarkdown.ToHtml(markdown)).QuerySelectorAll("a"));

        Assert.Equal(href, link.GetAttribute("href"));
    }

    [Theory]
    [InlineData("[the report](https://example.org/r)", "https://example.org/r")]
    [InlineData("[mail us](mailto:team@example.org)", "mailto:team@example.org")]
    [InlineData("<https://example.org/a>", "https://example.org/a")]
    [InlineData("[ref][r]\n\n[r]: http://example.org/ref", "http://example.org/ref")]
    [InlineData("see https://example.org/plain here", "https://example.org/plain")]
    public void Http_https_and_mailto_links_survive(string markdown, string href)
    {
        var link = Assert.Single(Parse(SafeMarkdown.ToHtml(markdown)).QuerySelectorAll("a"));

        Assert.Equal(href, link.GetAttribute("href"));
        if (href.StartsWith("http", StringComparison.Ordinal))
        {
            Assert.Equal("nofollow noopener noreferrer", link.GetAttribute("rel"));
        }
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JaVaScRiPt:alert(1))")]
    [InlineData("[click](javascript&#58;alert(1))")]
    [InlineData("[click](javascript&colon;alert(1))")]
    [InlineData("[click](%6Aavascript:alert(1))")]
    [InlineData("[click](<javascript:alert(1)>)")]
    [InlineData("[click][x]\n\n[x]: javascript:alert(1)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[click](vbscript:msgbox(1))")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("<data:text/html,<script>alert(1)</script>>")]
    [InlineData("[click](file:///etc/passwd)")]
    [InlineData("[click](//evil.example.org/x)")]
    [InlineData("[click](/relative/path)")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)")]
    public void Links_to_other_schemes_lose_their_link_but_keep_their_text(string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);
        var document = Parse(html);

        Assert.Empty(document.QuerySelectorAll("a"));
        Assert.Empty(document.QuerySelectorAll("img"));
        Assert.DoesNotContain("href", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(document.All, e => Assert.Empty(e.Attributes));
        Assert.False(string.IsNullOrWhiteSpace(document.Body!.TextContent));
    }

    [Fact]
    public void The_text_of_a_dropped_link_stays()
    {
        var document = Parse(SafeMarkdown.ToHtml("See [the **report**](javascript:alert(1)) now."));

        Assert.Equal("See the report now.", document.Body!.TextContent.Trim());
        Assert.Single(document.QuerySelectorAll("strong"));
    }

    [Fact]
    public void Images_become_links_so_the_page_loads_no_third_party_image()
    {
        var document = Parse(SafeMarkdown.ToHtml("![ROC curve](https://example.org/roc.png)"));

        Assert.Empty(document.QuerySelectorAll("img"));
        var link = Assert.Single(document.QuerySelectorAll("a"));
        Assert.Equal("https://example.org/roc.png", link.GetAttribute("href"));
        Assert.Equal("ROC curve", link.TextContent);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("Text <script>alert(1)</script> inline")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<div onclick=\"alert(1)\">block</div>")]
    [InlineData("<iframe src=\"https://evil.example.org\"></iframe>")]
    [InlineData("<svg><script>alert(1)</script></svg>")]
    [InlineData("<style>body{display:none}</style>")]
    [InlineData("<!-- comment --><script>alert(1)</script>")]
    [InlineData("`code` <b onmouseover=alert(1)>bold</b>")]
    [InlineData("[x](https://example.org \"title\\\" onmouseover=\\\"alert(1)\")")]
    [InlineData("[x](https://example.org/\"onmouseover=\"alert(1))")]
    [InlineData("```\"><script>alert(1)</script>\ncode\n```")]
    [InlineData("| a |\n|---|\n| <script>alert(1)</script> |")]
    [InlineData("x {onclick=alert(1)}")]
    public void Raw_html_is_shown_as_text_and_never_becomes_markup(string markdown)
    {
        var document = Parse(SafeMarkdown.ToHtml(markdown));

        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "html", "head", "body", "p", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td",
        };
        Assert.All(document.All, element =>
        {
            Assert.Contains(element.LocalName, allowed);
            Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(element.Attributes, a => a.Name is "src" or "style");
        });
        Assert.All(document.QuerySelectorAll("a"), a => Assert.StartsWith("https://example.org", a.GetAttribute("href")));
    }

    [Fact]
    public void Script_tags_are_escaped_text()
    {
        var html = SafeMarkdown.ToHtml("<script>alert(1)</script>");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Theory]
    [InlineData("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>")]
    [InlineData("&#60;img src=x onerror=alert(1)&#62;", "<img src=x onerror=alert(1)>")]
    [InlineData("Fish &amp; chips &copy;", "Fish & chips ©")]
    public void Html_entities_decode_to_text_and_stay_escaped(string markdown, string text)
    {
        var html = SafeMarkdown.ToHtml(markdown);
        var document = Parse(html);

        Assert.Equal(text, document.Body!.TextContent.Trim());
        Assert.Empty(document.QuerySelectorAll("script, img"));
    }

    [Theory]
    [InlineData("# Title", "h3")]
    [InlineData("## Part", "h4")]
    [InlineData("### Detail", "h5")]
    [InlineData("#### Deep", "h6")]
    [InlineData("###### Deepest", "h6")]
    [InlineData("Title\n=====", "h3")]
    [InlineData("Part\n-----", "h4")]
    public void Headings_are_pushed_below_the_section_title(string markdown, string element)
    {
        var document = Parse(SafeMarkdown.ToHtml(markdown));

        Assert.NotNull(document.QuerySelector(element));
        Assert.Empty(document.QuerySelectorAll("h1, h2"));
    }

    [Fact]
    public void The_top_heading_level_can_be_chosen_but_never_h1_by_default()
    {
        Assert.Contains("<h2>", SafeMarkdown.ToHtml("# A", topHeadingLevel: 2));
        Assert.DoesNotContain("<h1", SafeMarkdown.ToHtml("# A\n\nB\n===\n\n> # C\n\n- # D"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n  ")]
    public void Blank_markdown_renders_nothing(string? markdown)
    {
        Assert.Equal("", SafeMarkdown.ToHtml(markdown));
    }

    [Theory]
    [InlineData("https://example.org", true)]
    [InlineData("HTTP://EXAMPLE.ORG", true)]
    [InlineData("mailto:a@example.org", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData(" javascript:alert(1)", false)]
    [InlineData("data:text/html,x", false)]
    [InlineData("ftp://example.org", false)]
    [InlineData("/local", false)]
    [InlineData("#anchor", false)]
    [InlineData("", false)]
    public void Only_absolute_http_https_and_mailto_urls_are_allowed(string url, bool allowed)
    {
        Assert.Equal(allowed, SafeMarkdown.IsAllowedUrl(url));
    }

    public static TheoryData<string, string> TooDeep() => new()
    {
        { "quotes", new string('>', 5_000) + " <script>x</script>" },
        { "lists", string.Concat(Enumerable.Repeat("- ", 5_000)) + "x" },
        { "indented lists", string.Join("\n", Enumerable.Range(0, 200).Select(i => new string(' ', i * 2) + "- x")) },
        { "brackets", new string('[', 20_000) },
        { "emphasis", new string('*', 10_000) + "a" + new string('*', 10_000) },
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void Text_nested_too_deeply_is_shown_escaped_instead_of_failing(string because, string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.False(SafeMarkdown.CanRender(markdown), because);
        Assert.StartsWith("<pre>", html);
        Assert.DoesNotContain("<script", html);
        Assert.Equal(markdown, Parse(html).QuerySelector("pre")!.TextContent);
    }

    [Fact]
    public void Ordinary_nesting_renders()
    {
        var markdown = "> > quoted twice\n\n- a\n  - b\n    - c\n\n1. one\n   1. one.one";

        Assert.True(SafeMarkdown.CanRender(markdown));
        Assert.Equal(3, Parse(SafeMarkdown.ToHtml(markdown)).QuerySelectorAll("ul").Length);
    }

    [Fact]
    public void The_card_refuses_text_too_deeply_nested_to_display()
    {
        var card = ModelCard.Empty with { Limitations = new string('>', 500) + " x" };

        var error = Assert.Single(card.Validate());

        Assert.Equal("Limitations", error.Field);
        Assert.Contains("too deeply", error.Message);
    }
}
