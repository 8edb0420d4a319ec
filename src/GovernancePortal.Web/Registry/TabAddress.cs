using Microsoft.AspNetCore.Components;

namespace GovernancePortal.Registry;

/// <summary>
/// A page's open tab lives in its address (<c>?tab=</c>), so a link, a reload or Back shows the same one. The first tab is
/// the address without the parameter; a name the page does not know reads as the first tab.
/// </summary>
public sealed class TabAddress(params string[] names)
{
    public IReadOnlyList<string> Names { get; } = names;

    public int IndexOf(string? name) => Math.Max(0, Array.IndexOf(names, name?.Trim().ToLowerInvariant()));

    /// <summary>The query value naming tab <paramref name="index"/>: null for the first.</summary>
    public string? NameAt(int index) => index <= 0 || index >= names.Length ? null : names[index];

    /// <summary>
    /// Puts tab <paramref name="index"/> in the address, replacing the entry. Nothing when the tabs change while the page is
    /// closing (MudTabs lets its panels go one by one, so the index it reports then may point past the end) or once the
    /// address already names another page.
    /// </summary>
    public void Show(NavigationManager navigation, string pagePath, int index, bool closing)
    {
        if (closing || index < 0 || index >= names.Length)
        {
            return;
        }
        var current = new Uri(navigation.Uri);
        if (!string.Equals(Uri.UnescapeDataString(current.AbsolutePath).TrimEnd('/'), Uri.UnescapeDataString(pagePath).TrimEnd('/'), StringComparison.Ordinal))
        {
            return;
        }
        var target = navigation.GetUriWithQueryParameter("tab", NameAt(index));
        if (!string.Equals(target, navigation.Uri, StringComparison.Ordinal))
        {
            navigation.NavigateTo(target, replace: true);
        }
    }
}
