using System.Text;

namespace GovernancePortal.Benchmarks;

/// <summary>Collects the Markdown that is printed at the end (and recorded in bench/README.md by run.sh --record).</summary>
internal sealed class Report
{
    private readonly StringBuilder _text = new();

    public void Heading(string text) => _text.Append("\n### ").AppendLine(text).AppendLine();

    public void Paragraph(string text) => _text.AppendLine(text).AppendLine();

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<bool>? rightAligned = null)
    {
        _text.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        _text.Append('|');
        for (var i = 0; i < header.Count; i++)
        {
            _text.Append(rightAligned is not null && rightAligned[i] ? " ---: |" : " --- |");
        }
        _text.AppendLine();
        foreach (var row in rows)
        {
            _text.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }
        _text.AppendLine();
    }

    public override string ToString() => _text.ToString().Trim() + "\n";
}
