namespace GovernancePortal.Compliance;

/// <summary>
/// One item of an applicable template. <see cref="Reason"/> is set only when the item has its own rule;
/// otherwise the item applies because its template does.
/// </summary>
public sealed record ItemApplicability(ChecklistItem Item, bool Applies, string? Reason);

/// <summary>
/// Whether a template applies to a model and why. <see cref="Items"/> lists every item of an applicable template
/// (applying or not, each with its reason) and is empty when the template does not apply.
/// </summary>
public sealed record TemplateApplicability(ChecklistTemplate Template, bool Applies, string Reason, IReadOnlyList<ItemApplicability> Items)
{
    public IEnumerable<ChecklistItem> ApplicableItems => Items.Where(i => i.Applies).Select(i => i.Item);
}

public static class Applicability
{
    /// <summary>Every template with whether it applies to the model; reasons are written for people ("HIPAA applies: the model uses PHI").</summary>
    public static IReadOnlyList<TemplateApplicability> For(IEnumerable<ChecklistTemplate> templates, ModelAttributes model)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(model);
        return templates.Select(t => For(t, model)).ToList();
    }

    public static TemplateApplicability For(ChecklistTemplate template, ModelAttributes model)
    {
        var why = template.AppliesWhen.Explain(model);
        if (!template.AppliesWhen.Evaluate(model))
        {
            return new TemplateApplicability(template, false, $"{template.Title} does not apply: {why}.", []);
        }
        var reason = template.AppliesBecause.Replace(ChecklistTemplate.ReasonPlaceholder, why, StringComparison.Ordinal);
        var items = template.Items
            .Select(item => item.AppliesWhen is not { } rule
                ? new ItemApplicability(item, true, null)
                : rule.Evaluate(model)
                    ? new ItemApplicability(item, true, $"Applies: {rule.Explain(model)}.")
                    : new ItemApplicability(item, false, $"Does not apply: {rule.Explain(model)}."))
            .ToList();
        return new TemplateApplicability(template, true, reason, items);
    }

    /// <summary>Only the templates that apply.</summary>
    public static IEnumerable<TemplateApplicability> Applicable(this IEnumerable<TemplateApplicability> results) => results.Where(r => r.Applies);
}
