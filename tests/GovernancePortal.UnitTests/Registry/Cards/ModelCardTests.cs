using System.Text.Json;
using GovernancePortal.Registry;

namespace GovernancePortal.UnitTests.Registry.Cards;

public sealed class ModelCardTests
{
    [Fact]
    public void Cards_with_the_same_content_are_equal_including_their_lists()
    {
        var first = CardTestData.Complete();
        var second = CardTestData.Complete();

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void A_changed_risk_or_contact_makes_cards_differ()
    {
        var card = CardTestData.Complete();

        var changedRisk = card.WithEthicalConsiderations(
            card.EthicalConsiderations.SetItem(0, new EthicalConsideration("Indirect discrimination by postcode", "Nothing yet")));
        var changedContact = card.WithContacts(card.Contacts.SetItem(1, new ModelCardContact("Credit Analytics")));

        Assert.NotEqual(card, changedRisk);
        Assert.NotEqual(card, changedContact);
    }

    [Fact]
    public void The_empty_card_has_empty_text_and_empty_lists()
    {
        var empty = ModelCard.Empty;

        Assert.All(ModelCardSections.All.Where(s => s.Section.IsText()), s => Assert.Equal("", empty.GetText(s.Section)));
        Assert.Empty(empty.EthicalConsiderations);
        Assert.Empty(empty.Contacts);
        Assert.Equal(ModelCard.Empty, new ModelCard());
    }

    [Fact]
    public void Null_and_default_values_are_stored_as_empty()
    {
        var card = new ModelCard { Overview = null!, EthicalConsiderations = default, Contacts = default };

        Assert.Equal("", card.Overview);
        Assert.False(card.EthicalConsiderations.IsDefault);
        Assert.Empty(card.Contacts);
        Assert.Equal(ModelCard.Empty, card);
    }

    [Fact]
    public void Blank_email_and_role_are_the_same_as_none()
    {
        Assert.Equal(new ModelCardContact("Jane", null, null), new ModelCardContact("Jane", "", "  "));
    }

    [Theory]
    [MemberData(nameof(TextSections))]
    public void Replacing_one_text_section_keeps_every_other_section(ModelCardSection section)
    {
        var card = CardTestData.Complete();

        var changed = card.WithText(section, "New text for this section only.");

        Assert.Equal("New text for this section only.", changed.GetText(section));
        foreach (var other in ModelCardSections.All.Select(s => s.Section).Where(s => s != section))
        {
            Assert.Equal(ModelCardDiff.SectionText(card, other), ModelCardDiff.SectionText(changed, other));
        }
    }

    public static TheoryData<ModelCardSection> TextSections() =>
        [.. ModelCardSections.All.Where(s => s.Section.IsText()).Select(s => s.Section)];

    [Theory]
    [InlineData(ModelCardSection.EthicalConsiderations)]
    [InlineData(ModelCardSection.Contacts)]
    public void List_sections_are_not_replaced_as_text(ModelCardSection section)
    {
        Assert.Throws<ArgumentException>(() => ModelCard.Empty.WithText(section, "text"));
        Assert.Throws<ArgumentException>(() => ModelCard.Empty.GetText(section));
    }

    [Fact]
    public void A_section_can_be_copied_from_another_revision()
    {
        var complete = CardTestData.Complete();

        var copy = ModelCard.Empty
            .WithSectionFrom(ModelCardSection.Contacts, complete)
            .WithSectionFrom(ModelCardSection.Limitations, complete);

        Assert.Equal<ModelCardContact>(complete.Contacts, copy.Contacts);
        Assert.Equal(complete.Limitations, copy.Limitations);
        Assert.Empty(copy.EthicalConsiderations);
    }

    [Fact]
    public void Every_section_has_a_title_and_a_hint_in_card_order()
    {
        var sections = ModelCardSections.All;

        Assert.Equal(Enum.GetValues<ModelCardSection>(), sections.Select(s => s.Section));
        Assert.All(sections, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Title));
            Assert.True(s.Hint.Length > 40, $"{s.Section} needs a hint that explains a good answer.");
        });
        Assert.Equal("Out-of-scope uses", ModelCardSection.OutOfScopeUses.Title());
        Assert.Equal(ModelCardSectionKind.RiskList, ModelCardSection.EthicalConsiderations.Kind());
    }

    [Fact]
    public void A_card_survives_a_round_trip_through_System_Text_Json()
    {
        var card = CardTestData.Complete();

        var json = JsonSerializer.Serialize(card);
        var back = JsonSerializer.Deserialize<ModelCard>(json);

        Assert.Equal(card, back);
    }

    [Fact]
    public void A_complete_card_is_valid()
    {
        Assert.Empty(CardTestData.Complete().Validate());
        Assert.Empty(ModelCard.Empty.Validate());
    }

    public static TheoryData<string, ModelCard, string, string> InvalidCards() => new()
    {
        { "long text", ModelCard.Empty with { Limitations = new string('x', 20_001) }, "Limitations", "20,001 characters long; the limit is 20,000" },
        { "long licence", ModelCard.Empty with { License = new string('x', 5_001) }, "License", "the limit is 5,000" },
        { "control character", ModelCard.Empty with { Overview = "Fine\u0000text" }, "Overview", "control characters" },
        { "too many risks", ModelCard.Empty with { EthicalConsiderations = [.. Enumerable.Repeat(new EthicalConsideration("Risk", "Mitigation"), 51)] }, "EthicalConsiderations", "at most 50 risks" },
        { "risk without text", ModelCard.Empty with { EthicalConsiderations = [new EthicalConsideration(" ", "Mitigation")] }, "EthicalConsiderations[0].Risk", "Risk 1: describe the risk" },
        { "long mitigation", ModelCard.Empty with { EthicalConsiderations = [new EthicalConsideration("Risk", new string('m', 4_001))] }, "EthicalConsiderations[0].Mitigation", "The mitigation of risk 1 is 4,001" },
        { "too many contacts", ModelCard.Empty with { Contacts = [.. Enumerable.Range(0, 21).Select(i => new ModelCardContact($"Person {i}"))] }, "Contacts", "at most 20 contacts" },
        { "contact without name", ModelCard.Empty with { Contacts = [new ModelCardContact("", "a@example.org")] }, "Contacts[0].Name", "enter a name" },
        { "malformed email", ModelCard.Empty with { Contacts = [new ModelCardContact("Jane", "jane.example.org")] }, "Contacts[0].Email", "is not an email address" },
        { "email with a display name", ModelCard.Empty with { Contacts = [new ModelCardContact("Jane", "Jane <jane@example.org>")] }, "Contacts[0].Email", "is not an email address" },
        { "name on two lines", ModelCard.Empty with { Contacts = [new ModelCardContact("Jane\nDoe")] }, "Contacts[0].Name", "must fit on one line" },
        { "long role", ModelCard.Empty with { Contacts = [new ModelCardContact("Jane", null, new string('r', 101))] }, "Contacts[0].Role", "the limit is 100" },
    };

    [Theory]
    [MemberData(nameof(InvalidCards))]
    public void Invalid_content_is_reported_against_its_field(string because, ModelCard card, string field, string message)
    {
        var errors = card.Validate();

        var error = Assert.Single(errors, e => e.Field == field);
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), $"{because}: got \"{error.Message}\"");
    }

    [Theory]
    [InlineData("jane@example.org", true)]
    [InlineData("jane.doe+models@mail.example.co.uk", true)]
    [InlineData("jane@localhost", false)]
    [InlineData("jane@@example.org", false)]
    [InlineData("jane doe@example.org", false)]
    [InlineData("jane@example.org (Owner)", false)]
    [InlineData("@example.org", false)]
    [InlineData("jane@.org", false)]
    [InlineData("jane@example.org\n", false)]
    [InlineData("", false)]
    public void Email_addresses_are_checked_plainly(string email, bool valid)
    {
        Assert.Equal(valid, ModelCardLimits.IsEmail(email));
    }

    [Fact]
    public void Validating_one_section_reports_only_that_section()
    {
        var card = ModelCard.Empty with
        {
            Overview = new string('x', 20_001),
            Contacts = [new ModelCardContact("Jane", "not-an-email")],
        };

        var errors = card.Validate(ModelCardSection.Contacts);

        Assert.Equal(["Contacts[0].Email"], errors.Select(e => e.Field));
        Assert.Equal(2, card.Validate().Count);
    }
}
