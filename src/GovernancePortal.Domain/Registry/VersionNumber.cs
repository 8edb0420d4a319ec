using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GovernancePortal.Registry;

/// <summary>MAJOR.MINOR.PIPELINE, ordered numerically.</summary>
public readonly record struct VersionNumber(int Major, int Minor, int Pipeline) : IComparable<VersionNumber>
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out VersionNumber? version)
    {
        version = null;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }
        var parts = text.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }
        var numbers = new int[3];
        for (var i = 0; i < 3; i++)
        {
            var part = parts[i];
            // Leading zeros would make "1.01.0" and "1.1.0" the same version.
            if (part.Length == 0 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit)
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }
        version = new VersionNumber(numbers[0], numbers[1], numbers[2]);
        return true;
    }

    public VersionNumber Next(ChangeKind kind) => kind switch
    {
        ChangeKind.IncompatibleDataChange => new(Major + 1, 0, 0),
        ChangeKind.ImprovedModel => new(Major, Minor + 1, 0),
        ChangeKind.PipelineChange => new(Major, Minor, Pipeline + 1),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public int CompareTo(VersionNumber other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Pipeline.CompareTo(other.Pipeline);

    public static bool operator <(VersionNumber left, VersionNumber right) => left.CompareTo(right) < 0;
    public static bool operator >(VersionNumber left, VersionNumber right) => left.CompareTo(right) > 0;
    public static bool operator <=(VersionNumber left, VersionNumber right) => left.CompareTo(right) <= 0;
    public static bool operator >=(VersionNumber left, VersionNumber right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Pipeline}");
}
