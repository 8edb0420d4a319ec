using System.Globalization;
using System.Text;

namespace GovernancePortal.Registry;

/// <summary>What a reader actually sees of a piece of text: names must show something and must not be reordered.</summary>
public static class VisibleText
{
    /// <summary>Letters that render as nothing though Unicode calls them letters or symbols (fillers, blank patterns).</summary>
    private static readonly HashSet<int> BlankCharacters = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E, 0x17B4, 0x17B5];

    /// <summary>
    /// True when at least one character shows: not white space, a control, a format character (zero-width spaces, joiners,
    /// direction marks, tags), a combining mark on its own, or a blank-looking filler.
    /// </summary>
    public static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune) && !BlankCharacters.Contains(rune.Value)
                && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Format or UnicodeCategory.NonSpacingMark
                    or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) make text display in another order
    /// than it is stored ("Trojan Source"); a name or reason in the record must read as it is.
    /// </summary>
    public static bool HasBidiControl(string text) => text.Any(c => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
}
