using GovernancePortal.Testing;
using Microsoft.Playwright;

namespace GovernancePortal.Accessibility;

/// <summary>
/// Runs axe-core in a page and names its serious and critical violations. The portal's CSP refuses injected script tags,
/// so axe's source is evaluated through the driver, which the page's CSP does not govern.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Source = new(() =>
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "accessibility", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new InvalidOperationException($"axe-core is not at {path}: scripts/test.sh installs it (or run: cd tests/accessibility && npm ci).");
    });

    private const string Run = """
        async () => {
          const result = await axe.run(document, { resultTypes: ['violations'] });
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
        }
        """;

    /// <summary>One line per serious or critical violation on the page as it is now.</summary>
    public static async Task<string[]> SeriousViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Source.Value);
        }
        return await page.EvaluateAsync<string[]>(Run);
    }
}
