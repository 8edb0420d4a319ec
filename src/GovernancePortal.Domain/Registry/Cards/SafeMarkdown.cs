using System.Net;
using Markdig;
using Markdig.Extensions.AutoLinks;
using Markdig.Renderers;
using Markdig.Renderers.Html.Inlines;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace GovernancePortal.Registry;

/// <summary>
/// Renders the Markdown of a card section to HTML that is safe to embed in a page: raw HTML is shown as text,
/// only http, https and mailto links survive (other links keep their text and lose the link), images become
/// links to the image (no third-party image loads from a governance page), and headings are pushed down so a
/// section cannot produce a heading above its own title.
/// </summary>
public static class SafeMarkdown
{
    /// <summary>The highest heading a section's Markdown renders: h1 is the page, h2 the section title.</summary>
    public const int DefaultTopHeadingLevel = 3;

    private const string LinkRel = "nofollow noopener noreferrer";

    // Only extensions that add no raw HTML, attributes or scripts: not GenericAttributes (it lets a writer add
    // onclick=...), not the HTML-emitting media or diagram extensions.
    private static readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseListExtras()
        .UseAutoLinks(new AutoLinkOptions { OpenInNewWindow = false, UseHttpsForWWWLinks = true })
        .Build();

    public static string ToHtml(string? markdown) => ToHtml(markdown, DefaultTopHeadingLevel);

    public static string ToHtml(string? markdown, int topHeadingLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topHeadingLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(topHeadingLevel, 6);
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }
        // Too deeply nested for Markdig: show the text as typed rather than fail the page.
        return TryRender(markdown, topHeadingLevel) ?? "<pre>" + WebUtility.HtmlEncode(markdown) + "</pre>\n";
    }

    /// <summary>
    /// Whether the text renders as Markdown. Markdig refuses pathological nesting (hundreds of "&gt;", list or
    /// emphasis levels), which <see cref="ToHtml(string?)"/> then shows as plain text; validation refuses such text.
    /// </summary>
    public static bool CanRender(string? markdown) =>
        string.IsNullOrWhiteSpace(markdown) || TryRender(markdown, DefaultTopHeadingLevel) is not null;

    private static string? TryRender(string markdown, int topHeadingLevel)
    {
        if (MarkdownSource.LooksTooDeep(markdown) || Parse(markdown) is not { } document)
        {
            return null;
        }
        ShiftHeadings(document, topHeadingLevel - 1);
        SanitizeLinks(document);
        SanitizeAutolinks(document);

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        _pipeline.Setup(renderer);
        if (renderer.ObjectRenderers.FindExact<LinkInlineRenderer>() is { } links)
        {
            links.Rel = LinkRel;
        }
        if (renderer.ObjectRenderers.FindExact<AutolinkInlineRenderer>() is { } autolinks)
        {
            autolinks.Rel = LinkRel;
        }
        try
        {
            renderer.Render(document);
        }
        catch (ArgumentException)
        {
            // The renderer has its own depth limit (deeply nested emphasis parses but does not render).
            return null;
        }
        writer.Flush();
        return writer.ToString();
    }

    internal static MarkdownDocument? Parse(string markdown, MarkdownPipeline? pipeline = null)
    {
        try
        {
            return Markdown.Parse(markdown, pipeline ?? _pipeline);
        }
        catch (ArgumentException)
        {
            // Markdig's depth limit; nothing else in parsing throws for text input.
            return null;
        }
    }

    /// <summary>Whether a link target may be rendered: an absolute http, https or mailto URL.</summary>
    public static bool IsAllowedUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return false;
        }
        return uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeMailto;
    }

    private static void ShiftHeadings(MarkdownDocument document, int shift)
    {
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(6, heading.Level + shift);
        }
    }

    private static void SanitizeLinks(MarkdownDocument document)
    {
        // Materialized first: the loop rewrites the tree it walks.
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            // A dynamic URL (heading references) bypasses Url; nothing here should set one.
            link.GetDynamicUrl = null;
            if (!IsAllowedUrl(link.Url))
            {
                Unwrap(link);
                continue;
            }
            if (link.IsImage)
            {
                link.IsImage = false;
            }
        }
    }

    private static void SanitizeAutolinks(MarkdownDocument document)
    {
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            var target = autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url;
            if (!IsAllowedUrl(target))
            {
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
            }
        }
    }

    // The link's text stays, as plain inlines in the link's place.
    private static void Unwrap(LinkInline link)
    {
        if (link.IsImage && link.FirstChild is null)
        {
            link.Remove();
            return;
        }
        while (link.FirstChild is { } child)
        {
            child.Remove();
            link.InsertBefore(child);
        }
        link.Remove();
    }
}
