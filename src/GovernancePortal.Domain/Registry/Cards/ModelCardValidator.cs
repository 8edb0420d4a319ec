using System.Globalization;
using System.Text.RegularExpressions;

namespace GovernancePortal.Registry;

/// <summary>Field limits of a model card.</summary>
public static partial class ModelCardLimits
{
    public const int LongTextLength = 20_000;
    public const int LicenseLength = 5_000;
    public const int RiskLength = 2_000;
    public const int MitigationLength = 4_000;
    public const int EthicalConsiderations = 50;
    public const int Contacts = 20;
    public const int ContactNameLength = 200;
    public const int ContactRoleLength = 100;
    public const int EmailLength = 254;

    /// <summary>
    /// A deliberately plain address check: one @, a dot in the domain, and no spaces, brackets, quotes or commas,
    /// so that an address can be written inside Markdown, YAML and the "email (role)" form of the MCT export.
    /// </summary>
    public static bool IsEmail(string? text) =>
        text is not null && text.Length <= EmailLength && EmailPattern().IsMatch(text);

    /// <summary>A single SPDX-style identifier ("MIT", "Apache-2.0", "LicenseRef-x", "proprietary"), not an expression or text.</summary>
    public static bool IsLicenseIdentifier(string? text) => text is not null && LicenseIdentifierPattern().IsMatch(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.+\-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex LicenseIdentifierPattern();

    [GeneratedRegex(@"^[^\s@<>()\[\]{},;:""'\\]+@[^\s@<>()\[\]{},;:""'\\.]+(\.[^\s@<>()\[\]{},;:""'\\.]+)+\z", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}

internal static class ModelCardValidator
{
    public static IReadOnlyList<ModelCardError> Validate(ModelCard card)
    {
        var errors = new List<ModelCardError>();
        foreach (var info in ModelCardSections.All)
        {
            switch (info.Kind)
            {
                case ModelCardSectionKind.Markdown:
                    var text = card.GetText(info.Section);
                    CheckText(errors, info.Section, info.Section.ToString(), info.Title, text,
                        ModelCardLimits.LongTextLength, singleLine: false);
                    if (text.Length <= ModelCardLimits.LongTextLength && !SafeMarkdown.CanRender(text))
                    {
                        errors.Add(new(info.Section, info.Section.ToString(),
                            $"{info.Title} nests quotes or lists too deeply to be displayed; flatten the text."));
                    }
                    break;
                case ModelCardSectionKind.PlainText:
                    CheckText(errors, info.Section, info.Section.ToString(), info.Title, card.GetText(info.Section),
                        ModelCardLimits.LicenseLength, singleLine: false);
                    break;
                case ModelCardSectionKind.RiskList:
                    CheckRisks(errors, card);
                    break;
                case ModelCardSectionKind.ContactList:
                    CheckContacts(errors, card);
                    break;
            }
        }
        return errors;
    }

    private static void CheckRisks(List<ModelCardError> errors, ModelCard card)
    {
        const ModelCardSection section = ModelCardSection.EthicalConsiderations;
        if (card.EthicalConsiderations.Length > ModelCardLimits.EthicalConsiderations)
        {
            errors.Add(new(section, nameof(ModelCard.EthicalConsiderations),
                $"A card can list at most {ModelCardLimits.EthicalConsiderations} risks; this one lists {card.EthicalConsiderations.Length}."));
        }
        for (var i = 0; i < card.EthicalConsiderations.Length; i++)
        {
            var pair = card.EthicalConsiderations[i];
            var prefix = $"{nameof(ModelCard.EthicalConsiderations)}[{i}]";
            var number = i + 1;
            if (string.IsNullOrWhiteSpace(pair.Risk))
            {
                errors.Add(new(section, $"{prefix}.{nameof(EthicalConsideration.Risk)}",
                    $"Risk {number}: describe the risk, or remove the row."));
            }
            CheckText(errors, section, $"{prefix}.{nameof(EthicalConsideration.Risk)}", $"Risk {number}",
                pair.Risk, ModelCardLimits.RiskLength, singleLine: false);
            CheckText(errors, section, $"{prefix}.{nameof(EthicalConsideration.Mitigation)}", $"The mitigation of risk {number}",
                pair.Mitigation, ModelCardLimits.MitigationLength, singleLine: false);
        }
    }

    private static void CheckContacts(List<ModelCardError> errors, ModelCard card)
    {
        const ModelCardSection section = ModelCardSection.Contacts;
        if (card.Contacts.Length > ModelCardLimits.Contacts)
        {
            errors.Add(new(section, nameof(ModelCard.Contacts),
                $"A card can list at most {ModelCardLimits.Contacts} contacts; this one lists {card.Contacts.Length}."));
        }
        for (var i = 0; i < card.Contacts.Length; i++)
        {
            var contact = card.Contacts[i];
            var prefix = $"{nameof(ModelCard.Contacts)}[{i}]";
            var number = i + 1;
            if (string.IsNullOrWhiteSpace(contact.Name))
            {
                errors.Add(new(section, $"{prefix}.{nameof(ModelCardContact.Name)}",
                    $"Contact {number}: enter a name, or remove the row."));
            }
            CheckText(errors, section, $"{prefix}.{nameof(ModelCardContact.Name)}", $"The name of contact {number}",
                contact.Name, ModelCardLimits.ContactNameLength, singleLine: true);
            if (contact.Email is { } email && !ModelCardLimits.IsEmail(email))
            {
                errors.Add(new(section, $"{prefix}.{nameof(ModelCardContact.Email)}",
                    $"Contact {number}: \"{Shorten(email)}\" is not an email address such as name@example.org."));
            }
            CheckText(errors, section, $"{prefix}.{nameof(ModelCardContact.Role)}", $"The role of contact {number}",
                contact.Role ?? "", ModelCardLimits.ContactRoleLength, singleLine: true);
        }
    }

    private static void CheckText(List<ModelCardError> errors, ModelCardSection section, string field, string label,
        string text, int maxLength, bool singleLine)
    {
        if (text.Length > maxLength)
        {
            errors.Add(new(section, field, string.Create(CultureInfo.InvariantCulture,
                $"{label} is {text.Length:N0} characters long; the limit is {maxLength:N0}.")));
        }
        if (singleLine && text.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            errors.Add(new(section, field, $"{label} must fit on one line."));
        }
        else if (HasControlCharacters(text))
        {
            errors.Add(new(section, field, $"{label} contains invisible control characters; retype or paste it as plain text."));
        }
    }

    // Tabs and line breaks are text; other control characters (NUL, escape codes) only break exports and rendering.
    private static bool HasControlCharacters(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return true;
            }
        }
        return false;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
