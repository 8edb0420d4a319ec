namespace GovernancePortal.Compliance;

public sealed class ChecklistLibraryTests
{
    private const string Valid = """
        id: demo
        version: 2
        title: Demo
        authority: Internal policy
        appliesWhen: data has PHI
        appliesBecause: "Demo applies: {reason}."
        items:
          - id: demo-one
            text: Do the thing
            guidance: Because.
            citation: Policy 1
            evidence: link
          - id: demo-two
            text: Do the other thing
            guidance: Because.
            citation: Policy 2
            evidence: file
            appliesWhen: risk is High
            obligation: addressable
        """;

    [Fact]
    public void A_valid_template_loads_with_its_items_and_rules()
    {
        var template = ChecklistLibrary.Load(Valid);
        Assert.Equal("demo", template.Id);
        Assert.Equal(2, template.Version);
        Assert.Equal("data has PHI", template.AppliesWhen.ToString());
        Assert.Equal(2, template.Items.Count);
        Assert.Equal(EvidenceKind.Link, template.Items[0].Evidence);
        Assert.Null(template.Items[0].AppliesWhen);
        Assert.Equal("risk is High", template.Items[1].AppliesWhen?.ToString());
        Assert.Equal(Obligation.Addressable, template.Items[1].Obligation);
    }

    [Theory]
    [InlineData("title: Demo", "title: Demo\nowner: someone", "owner")]
    [InlineData("    evidence: link", "    evidence: link\n    severity: high", "severity")]
    [InlineData("version: 2", "version: 2\nversion: 3", "version")]
    [InlineData("title: Demo", "", "'title' is required")]
    [InlineData("version: 2", "version: 0", "version must be")]
    [InlineData("version: 2", "version: two", "")]
    [InlineData("id: demo", "id: Demo", "kebab-case")]
    [InlineData("  - id: demo-one", "  - id: other-one", "start with 'demo-'")]
    [InlineData("  - id: demo-two", "  - id: demo-one", "used twice")]
    [InlineData("    evidence: link", "    evidence: url", "evidence must be none, link or file")]
    [InlineData("    evidence: link", "    evidence: Link", "evidence must be none, link or file")]
    [InlineData("    obligation: addressable", "    obligation: optional", "obligation must be")]
    [InlineData("    citation: Policy 1", "    citation: \"\"", "'citation' is required")]
    [InlineData("appliesWhen: data has PHI", "appliesWhen: data has health", "expected a data category")]
    [InlineData("    appliesWhen: risk is High", "    appliesWhen: risk is", "expected a risk tier")]
    public void Invalid_templates_are_refused_with_a_message_naming_the_problem(string replace, string with, string message)
    {
        var yaml = Valid.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(Valid, yaml);
        var error = Assert.Throws<ChecklistFormatException>(() => ChecklistLibrary.Load(yaml, "demo.yaml"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("demo.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_document_is_refused()
    {
        Assert.Throws<ChecklistFormatException>(() => ChecklistLibrary.Load(""));
    }

    [Fact]
    public void Item_ids_must_be_unique_across_templates()
    {
        var one = ChecklistLibrary.Load(Valid);
        var error = Assert.Throws<ChecklistFormatException>(() => ChecklistLibrary.CheckUnique([one, one with { Id = "demo2" }]));
        Assert.Contains("demo-one", error.Message, StringComparison.Ordinal);
        Assert.Throws<ChecklistFormatException>(() => ChecklistLibrary.CheckUnique([one, one]));
    }
}
