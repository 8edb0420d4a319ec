using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

/// <summary>An item as an editor submits it: every field may be missing or wrong until <see cref="TemplateVersioning"/> checks it.</summary>
public sealed record ItemDraft(
    string? Id, string? Text, string? Guidance, string? Citation, EvidenceKind? Evidence, Obligation? Obligation, string? AppliesWhen);

/// <summary>A new version as submitted: template-level fields left null keep the base version's.</summary>
public sealed record TemplateVersionDraft(
    string? Title, string? Authority, string? AppliesWhen, string? AppliesBecause, IReadOnlyList<ItemDraft?>? Items, string? ChangeNote);

/// <summary>A checked draft: the new version and why it was made.</summary>
public sealed record PublishedDraft(ChecklistTemplate Template, string ChangeNote);

public enum ItemChangeKind
{
    Added = 0,
    Changed = 1,
    Retired = 2,
}

/// <summary>One item's difference between two versions; <see cref="Fields"/> names what changed ("text", "citation", ...).</summary>
public sealed record ItemDiff(string ItemId, ItemChangeKind Kind, ChecklistItem? From, ChecklistItem? To, IReadOnlyList<string> Fields);

/// <summary>What happens to an item's answer when an assessment moves to a newer template version.</summary>
public enum UpgradeAction
{
    /// <summary>The question is unchanged: the answer, its evidence and its review stay.</summary>
    Keep = 0,
    /// <summary>The item changed: the answer comes along marked "carried over — confirm".</summary>
    Confirm = 1,
    /// <summary>New item, or one that had no answer: to be answered.</summary>
    Unanswered = 2,
    /// <summary>The item was retired, or no longer applies to the model: its answer stays with the old assessment only.</summary>
    Dropped = 3,
}

public sealed record ItemUpgrade(string ItemId, UpgradeAction Action, string Why);

public sealed record UpgradePlan(int FromVersion, int ToVersion, IReadOnlyList<ItemUpgrade> Items)
{
    public IEnumerable<string> With(UpgradeAction action) => Items.Where(i => i.Action == action).Select(i => i.ItemId);
}

/// <summary>
/// New template versions, their differences, and how assessments move between them. No I/O: the service loads the
/// versions and answers, asks these, and saves what they decide.
/// </summary>
public static class TemplateVersioning
{
    public const int MaxItems = 500;
    public const int MaxTextLength = 1000;
    public const int MaxGuidanceLength = 4000;
    public const int MaxCitationLength = 500;
    public const int MaxTitleLength = 200;
    public const int MaxAuthorityLength = 1000;
    public const int MaxChangeNoteLength = 1000;

    /// <summary>Compliance officers manage templates (PRODUCT.md); platform admins may too. Null when allowed.</summary>
    public static string? WhyCannotEdit(Caller caller) =>
        caller.Has(Roles.ComplianceOfficer) || caller.Has(Roles.Admin)
            ? null
            : "Only compliance officers and admins change checklist templates.";

    /// <summary>
    /// Checks a draft against the version it starts from and builds version N+1, or names every bad field
    /// (keys as the API spells them: "changeNote", "items[2].appliesWhen").
    /// </summary>
    public static PublishedDraft? NewVersion(ChecklistTemplate basis, TemplateVersionDraft draft, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(draft);
        var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Error(string field, string message)
        {
            if (!found.TryGetValue(field, out var list))
            {
                found[field] = list = [];
            }
            list.Add(message);
        }

        var changeNote = Text(draft.ChangeNote, "changeNote", "Say what changed and why: a change note is required.", MaxChangeNoteLength, Error);
        var title = draft.Title is null ? basis.Title : Text(draft.Title, "title", "Give the template a title.", MaxTitleLength, Error);
        var authority = draft.Authority is null ? basis.Authority : Text(draft.Authority, "authority", "Name the authority.", MaxAuthorityLength, Error);
        var because = draft.AppliesBecause is null
            ? basis.AppliesBecause
            : Text(draft.AppliesBecause, "appliesBecause", "Say why the template applies.", MaxAuthorityLength, Error);
        var rule = basis.AppliesWhen;
        if (draft.AppliesWhen is not null)
        {
            rule = Rule(draft.AppliesWhen, "appliesWhen", Error) ?? rule;
        }

        var items = new List<ChecklistItem>();
        if (draft.Items is not { Count: > 0 } drafts)
        {
            Error("items", "A template needs at least one item.");
        }
        else if (drafts.Count > MaxItems)
        {
            Error("items", $"A template holds at most {MaxItems} items.");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < drafts.Count; i++)
            {
                var prefix = $"items[{i}].";
                if (drafts[i] is not { } itemDraft)
                {
                    Error($"items[{i}]", "An item cannot be empty.");
                    continue;
                }
                var item = Item(basis.Id, itemDraft, prefix, Error);
                if (item is not null && !seen.Add(item.Id))
                {
                    Error(prefix + "id", $"The id '{item.Id}' is used by another item of this version.");
                    continue;
                }
                if (item is not null)
                {
                    items.Add(item);
                }
            }
        }

        errors = found.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            return null;
        }
        var next = new ChecklistTemplate(basis.Id, basis.Version + 1, title!, authority!, rule, because!, items);
        if (SameContent(basis, next))
        {
            errors["items"] = ["Nothing changed: add, edit or retire an item (or change the template's details) before publishing."];
            return null;
        }
        return new PublishedDraft(next, changeNote!);
    }

    /// <summary>Checks one item; null (with errors reported) when it is not valid. Ids are kebab-case and start with the template's id.</summary>
    public static ChecklistItem? Item(string templateId, ItemDraft draft, string prefix, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(error);
        var failed = false;
        void Fail(string field, string message)
        {
            failed = true;
            error(field, message);
        }

        var id = draft.Id?.Trim();
        if (string.IsNullOrEmpty(id))
        {
            Fail(prefix + "id", $"Give the item an id, e.g. {templateId}-data-retention.");
        }
        else if (!ChecklistLibrary.IsKebabCase(id) || !id.StartsWith(templateId + "-", StringComparison.Ordinal))
        {
            Fail(prefix + "id", $"The id must be kebab-case (a-z, 0-9, single hyphens, at most 128 characters) and start with '{templateId}-'.");
        }
        var text = Text(draft.Text, prefix + "text", "Say what to do, in a short imperative sentence.", MaxTextLength, Fail);
        var guidance = Text(draft.Guidance, prefix + "guidance", "Give guidance: how to meet the item and what evidence shows it.", MaxGuidanceLength, Fail);
        var citation = Text(draft.Citation, prefix + "citation", "Cite the provision, e.g. \"GDPR Art. 30(1)\".", MaxCitationLength, Fail);
        if (draft.Evidence is not { } evidence || !Enum.IsDefined(evidence))
        {
            Fail(prefix + "evidence", "Choose the evidence an answer needs: none, link or file.");
            evidence = EvidenceKind.None;
        }
        if (draft.Obligation is { } obligation && !Enum.IsDefined(obligation))
        {
            Fail(prefix + "obligation", "The obligation is required or addressable, or left empty.");
        }
        ApplicabilityRule? rule = null;
        if (!string.IsNullOrWhiteSpace(draft.AppliesWhen))
        {
            rule = Rule(draft.AppliesWhen, prefix + "appliesWhen", Fail);
        }
        return failed ? null : new ChecklistItem(id!, text!, guidance!, citation!, evidence, rule, draft.Obligation);
    }

    /// <summary>The differences from one version to another, in the newer version's order, retired items last.</summary>
    public static IReadOnlyList<ItemDiff> Diff(ChecklistTemplate from, ChecklistTemplate to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var old = from.Items.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var diffs = new List<ItemDiff>();
        foreach (var item in to.Items)
        {
            if (!old.TryGetValue(item.Id, out var previous))
            {
                diffs.Add(new ItemDiff(item.Id, ItemChangeKind.Added, null, item, []));
            }
            else if (ChangedFields(previous, item) is { Count: > 0 } fields)
            {
                diffs.Add(new ItemDiff(item.Id, ItemChangeKind.Changed, previous, item, fields));
            }
        }
        var kept = to.Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        diffs.AddRange(from.Items.Where(i => !kept.Contains(i.Id)).Select(i => new ItemDiff(i.Id, ItemChangeKind.Retired, i, null, [])));
        return diffs;
    }

    /// <summary>The template-level fields that differ ("title", "appliesWhen", ...).</summary>
    public static IReadOnlyList<string> ChangedDetails(ChecklistTemplate from, ChecklistTemplate to)
    {
        var fields = new List<string>();
        if (from.Title != to.Title)
        {
            fields.Add("title");
        }
        if (from.Authority != to.Authority)
        {
            fields.Add("authority");
        }
        if (from.AppliesWhen.ToString() != to.AppliesWhen.ToString())
        {
            fields.Add("appliesWhen");
        }
        if (from.AppliesBecause != to.AppliesBecause)
        {
            fields.Add("appliesBecause");
        }
        return fields;
    }

    public static IReadOnlyList<string> ChangedFields(ChecklistItem from, ChecklistItem to)
    {
        var fields = new List<string>();
        if (from.Text != to.Text)
        {
            fields.Add("text");
        }
        if (from.Guidance != to.Guidance)
        {
            fields.Add("guidance");
        }
        if (from.Citation != to.Citation)
        {
            fields.Add("citation");
        }
        if (from.Evidence != to.Evidence)
        {
            fields.Add("evidence");
        }
        if (from.Obligation != to.Obligation)
        {
            fields.Add("obligation");
        }
        if (from.AppliesWhen?.ToString() != to.AppliesWhen?.ToString())
        {
            fields.Add("appliesWhen");
        }
        return fields;
    }

    /// <summary>
    /// How an assessment's answers move to a newer template version. An item whose question is the same (wording,
    /// citation, evidence and obligation: <see cref="AssessmentRules.CarryOverMatches"/>) keeps its answer and review;
    /// another item with the same id comes along to be confirmed; new items start unanswered; retired items, and items
    /// that no longer apply to the model, are dropped.
    /// </summary>
    public static UpgradePlan PlanUpgrade(ChecklistTemplate from, ChecklistTemplate to, IEnumerable<ChecklistItem> applicableInTo, IEnumerable<string> answered)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var given = answered.ToHashSet(StringComparer.Ordinal);
        var applicable = applicableInTo.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var old = from.Items.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var same = AssessmentRules.CarryOverMatches(from.Items, to.Items, given).ToHashSet(StringComparer.Ordinal);
        var plan = new List<ItemUpgrade>();
        foreach (var item in to.Items)
        {
            var wasAnswered = given.Contains(item.Id) && old.ContainsKey(item.Id);
            if (!applicable.Contains(item.Id))
            {
                if (wasAnswered)
                {
                    plan.Add(new ItemUpgrade(item.Id, UpgradeAction.Dropped, "no longer applies to this model"));
                }
                continue;
            }
            if (!wasAnswered)
            {
                plan.Add(new ItemUpgrade(item.Id, UpgradeAction.Unanswered, old.ContainsKey(item.Id) ? "not answered yet" : "new in this version"));
            }
            else if (same.Contains(item.Id))
            {
                plan.Add(new ItemUpgrade(item.Id, UpgradeAction.Keep,
                    ChangedFields(old[item.Id], item) is { Count: > 0 } minor ? $"unchanged question ({string.Join(", ", minor)} edited)" : "unchanged"));
            }
            else
            {
                plan.Add(new ItemUpgrade(item.Id, UpgradeAction.Confirm, $"changed: {string.Join(", ", ChangedFields(old[item.Id], item))}"));
            }
        }
        var kept = to.Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        plan.AddRange(from.Items.Where(i => !kept.Contains(i.Id) && given.Contains(i.Id)).Select(i => new ItemUpgrade(i.Id, UpgradeAction.Dropped, "retired")));
        return new UpgradePlan(from.Version, to.Version, plan);
    }

    /// <summary>True when two versions say the same thing (the version number aside).</summary>
    public static bool SameContent(ChecklistTemplate a, ChecklistTemplate b) =>
        ChangedDetails(a, b).Count == 0 && Diff(a, b).Count == 0 && a.Items.Select(i => i.Id).SequenceEqual(b.Items.Select(i => i.Id), StringComparer.Ordinal);

    private static string? Text(string? value, string field, string missing, int max, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            error(field, missing);
            return null;
        }
        var trimmed = value.Trim();
        if (trimmed.Length > max)
        {
            error(field, $"At most {max} characters ({trimmed.Length} given).");
            return null;
        }
        if (trimmed.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            error(field, "Remove control characters.");
            return null;
        }
        return trimmed;
    }

    private static ApplicabilityRule? Rule(string text, string field, Action<string, string> error)
    {
        if (text.Length > ApplicabilityRule.MaxLength)
        {
            error(field, $"A rule is at most {ApplicabilityRule.MaxLength} characters.");
            return null;
        }
        if (ApplicabilityRule.TryParse(text.Trim(), out var rule, out var problem))
        {
            return rule;
        }
        error(field, problem!);
        return null;
    }
}
