using GovernancePortal.Registry;

namespace GovernancePortal.Components.Pages.Cards;

/// <summary>What the card editor's form holds for one section: its text, or its rows with blanks to add to.</summary>
public sealed class SectionInput
{
    public int BasedOn { get; set; }
    public string? Text { get; set; }
    public List<RiskRow> Risks { get; set; } = [];
    public List<ContactRow> Contacts { get; set; } = [];

    /// <summary>The section as saved in <paramref name="card"/> at <paramref name="revision"/>, with two blank rows in a list section.</summary>
    public static SectionInput From(ModelCard card, ModelCardSection section, int revision) => new()
    {
        BasedOn = revision,
        Text = section.IsText() ? card.GetText(section) : null,
        Risks = [.. card.EthicalConsiderations.Select(e => new RiskRow { Risk = e.Risk, Mitigation = e.Mitigation }), new(), new()],
        Contacts = [.. card.Contacts.Select(c => new ContactRow { Name = c.Name, Email = c.Email, Role = c.Role }), new(), new()],
    };

    /// <summary><paramref name="card"/> with this section replaced by the form's; blank rows are left out.</summary>
    public ModelCard ApplyTo(ModelCard card, ModelCardSection section) => section.Kind() switch
    {
        ModelCardSectionKind.RiskList => card.WithEthicalConsiderations(Risks
            .Where(r => !string.IsNullOrWhiteSpace(r.Risk) || !string.IsNullOrWhiteSpace(r.Mitigation))
            .Select(r => new EthicalConsideration(r.Risk?.Trim() ?? "", r.Mitigation?.Trim() ?? ""))),
        ModelCardSectionKind.ContactList => card.WithContacts(Contacts
            .Where(c => !string.IsNullOrWhiteSpace(c.Name) || !string.IsNullOrWhiteSpace(c.Email))
            .Select(c => new ModelCardContact(c.Name?.Trim() ?? "", NullIfBlank(c.Email), NullIfBlank(c.Role)))),
        _ => card.WithText(section, (Text ?? "").Replace("\r\n", "\n").Trim()),
    };

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public sealed class RiskRow
    {
        public string? Risk { get; set; }
        public string? Mitigation { get; set; }
    }

    public sealed class ContactRow
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public string? Role { get; set; }
    }
}
