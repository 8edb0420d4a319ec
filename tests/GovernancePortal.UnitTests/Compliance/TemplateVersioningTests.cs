using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed class TemplateVersioningTests
{
    private static readonly ChecklistItem Lawful = new("gdpr-lawful-basis", "Record the lawful basis", "Per purpose.", "GDPR Art. 6(1)", EvidenceKind.Link, null, null);
    private static readonly ChecklistItem Dpia = new("gdpr-dpia", "Carry out a DPIA", "Where 35(3) applies.", "GDPR Art. 35", EvidenceKind.File,
        ApplicabilityRule.Parse("risk is High"), null);
    private static readonly ChecklistItem Records = new("gdpr-records", "Keep a record of processing", "Art. 30 register.", "GDPR Art. 30", EvidenceKind.None, null, null);

    private static readonly ChecklistTemplate V1 = new("gdpr", 1, "GDPR", "Regulation (EU) 2016/679", ApplicabilityRule.Parse("data has personal"),
        "GDPR applies: {reason}.", [Lawful, Dpia, Records]);

    private static ItemDraft Draft(ChecklistItem item) => new(item.Id, item.Text, item.Guidance, item.Citation, item.Evidence, item.Obligation, item.AppliesWhen?.ToString());

    private static TemplateVersionDraft Version(string? note, params ItemDraft?[] items) => new(null, null, null, null, items, note);

    [Fact]
    public void A_valid_draft_becomes_the_next_version_and_keeps_the_template_details()
    {
        var added = new ItemDraft("gdpr-retention", " Set a retention period ", "Art. 5(1)(e).", "GDPR Art. 5(1)(e)", EvidenceKind.None, null, "flag euDataSubjects");

        var result = TemplateVersioning.NewVersion(V1, Version("Storage limitation was missing.", Draft(Lawful), Draft(Dpia), Draft(Records), added), out var errors);

        Assert.Empty(errors);
        Assert.Equal(2, result!.Template.Version);
        Assert.Equal("GDPR", result.Template.Title);
        Assert.Equal("Set a retention period", result.Template.Items[3].Text);
        Assert.Equal("flag euDataSubjects", result.Template.Items[3].AppliesWhen!.ToString());
        Assert.Equal("Storage limitation was missing.", result.ChangeNote);
    }

    public static TheoryData<ItemDraft, string, string> BadItems => new()
    {
        { Draft(Lawful) with { AppliesWhen = "data has PII" }, "items[0].appliesWhen", "expected a data category" },
        { Draft(Lawful) with { AppliesWhen = "risk is High and" }, "items[0].appliesWhen", "position" },
        { Draft(Lawful) with { Text = "  " }, "items[0].text", "imperative" },
        { Draft(Lawful) with { Guidance = null }, "items[0].guidance", "guidance" },
        { Draft(Lawful) with { Citation = new string('x', TemplateVersioning.MaxCitationLength + 1) }, "items[0].citation", "At most" },
        { Draft(Lawful) with { Evidence = null }, "items[0].evidence", "none, link or file" },
        { Draft(Lawful) with { Evidence = (EvidenceKind)9 }, "items[0].evidence", "none, link or file" },
        { Draft(Lawful) with { Obligation = (Obligation)9 }, "items[0].obligation", "required or addressable" },
        { Draft(Lawful) with { Id = "hipaa-lawful-basis" }, "items[0].id", "start with 'gdpr-'" },
        { Draft(Lawful) with { Id = "gdpr-Lawful_basis" }, "items[0].id", "kebab-case" },
        { Draft(Lawful) with { Text = "bell\a" }, "items[0].text", "control characters" },
    };

    [Theory]
    [MemberData(nameof(BadItems))]
    public void A_bad_item_field_is_named_and_nothing_is_built(ItemDraft bad, string field, string message)
    {
        var result = TemplateVersioning.NewVersion(V1, Version("Edit.", bad, Draft(Dpia), Draft(Records)), out var errors);

        Assert.Null(result);
        Assert.Contains(message, Assert.Single(errors[field]));
    }

    [Fact]
    public void A_version_needs_a_change_note_items_unique_ids_and_a_change()
    {
        TemplateVersioning.NewVersion(V1, Version(" ", Draft(Lawful)), out var noNote);
        TemplateVersioning.NewVersion(V1, Version("x"), out var noItems);
        TemplateVersioning.NewVersion(V1, Version("x", Draft(Lawful), null, Draft(Lawful)), out var twice);
        TemplateVersioning.NewVersion(V1, Version("x", Draft(Lawful), Draft(Dpia), Draft(Records)), out var unchanged);
        TemplateVersioning.NewVersion(V1, new TemplateVersionDraft(null, null, "flag nobody", null, [Draft(Lawful)], "x"), out var badRule);

        Assert.Contains("change note", noNote["changeNote"][0]);
        Assert.Contains("at least one item", noItems["items"][0]);
        Assert.Contains("used by another item", twice["items[2].id"][0]);
        Assert.Contains("empty", twice["items[1]"][0]);
        Assert.Contains("Nothing changed", unchanged["items"][0]);
        Assert.Contains("expected a flag", badRule["appliesWhen"][0]);
    }

    [Fact]
    public void Reordering_items_is_a_change()
    {
        var result = TemplateVersioning.NewVersion(V1, Version("Order by article.", Draft(Dpia), Draft(Lawful), Draft(Records)), out var errors);

        Assert.Empty(errors);
        Assert.Empty(TemplateVersioning.Diff(V1, result!.Template));
    }

    [Fact]
    public void The_diff_names_added_changed_fields_and_retired_items()
    {
        var v2 = V1 with
        {
            Version = 2,
            Items = [Lawful with { Guidance = "Per purpose: training, inference, monitoring." }, Dpia with { Text = "Carry out and record a DPIA", AppliesWhen = null },
                new ChecklistItem("gdpr-retention", "Set a retention period", "g", "GDPR Art. 5(1)(e)", EvidenceKind.None, null, null)],
        };

        var diff = TemplateVersioning.Diff(V1, v2);

        Assert.Equal(
            [("gdpr-lawful-basis", ItemChangeKind.Changed, "guidance"), ("gdpr-dpia", ItemChangeKind.Changed, "text,appliesWhen"),
             ("gdpr-retention", ItemChangeKind.Added, ""), ("gdpr-records", ItemChangeKind.Retired, "")],
            diff.Select(d => (d.ItemId, d.Kind, string.Join(",", d.Fields))));
        Assert.Empty(TemplateVersioning.Diff(V1, V1));
        Assert.Equal(["title", "appliesWhen"], TemplateVersioning.ChangedDetails(V1, V1 with { Title = "GDPR (EU)", AppliesWhen = ApplicabilityRule.Always }));
    }

    [Fact]
    public void An_upgrade_keeps_unchanged_questions_asks_to_confirm_changed_ones_and_drops_retired_or_inapplicable_ones()
    {
        var retention = new ChecklistItem("gdpr-retention", "Set a retention period", "g", "GDPR Art. 5(1)(e)", EvidenceKind.None, null, null);
        var v2 = V1 with
        {
            Version = 2,
            Items = [Lawful with { Guidance = "Reworded guidance." }, Dpia with { Citation = "GDPR Art. 35(1) and 35(3)" }, retention],
        };
        var narrowed = v2 with { Items = [.. v2.Items, Records with { AppliesWhen = ApplicabilityRule.Parse("risk is Prohibited") }] };

        var plan = TemplateVersioning.PlanUpgrade(V1, v2, v2.Items, ["gdpr-lawful-basis", "gdpr-dpia", "gdpr-records"]);
        var notApplying = TemplateVersioning.PlanUpgrade(V1, narrowed, v2.Items, ["gdpr-records"]);

        Assert.Equal(
            [("gdpr-lawful-basis", UpgradeAction.Keep), ("gdpr-dpia", UpgradeAction.Confirm), ("gdpr-retention", UpgradeAction.Unanswered), ("gdpr-records", UpgradeAction.Dropped)],
            plan.Items.Select(i => (i.ItemId, i.Action)));
        Assert.Contains("guidance edited", plan.Items[0].Why);
        Assert.Equal("changed: citation", plan.Items[1].Why);
        Assert.Equal("retired", plan.Items[3].Why);
        Assert.Equal((1, 2), (plan.FromVersion, plan.ToVersion));
        Assert.Equal(["gdpr-lawful-basis", "gdpr-dpia", "gdpr-retention"], notApplying.With(UpgradeAction.Unanswered));
        Assert.Equal("no longer applies to this model", Assert.Single(notApplying.Items, i => i.Action == UpgradeAction.Dropped).Why);
    }

    [Fact]
    public void An_unanswered_item_stays_unanswered_and_evidence_or_obligation_changes_need_confirming()
    {
        var v2 = V1 with { Version = 2, Items = [Lawful with { Evidence = EvidenceKind.File }, Dpia, Records with { Obligation = Obligation.Addressable }] };

        var plan = TemplateVersioning.PlanUpgrade(V1, v2, v2.Items, ["gdpr-lawful-basis", "gdpr-records"]);

        Assert.Equal([UpgradeAction.Confirm, UpgradeAction.Unanswered, UpgradeAction.Confirm], plan.Items.Select(i => i.Action));
        Assert.Equal("not answered yet", plan.Items[1].Why);
    }

    [Theory]
    [InlineData(Roles.ComplianceOfficer, true)]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.ModelOwner, false)]
    [InlineData(Roles.Auditor, false)]
    [InlineData(Roles.Viewer, false)]
    public void Compliance_officers_and_admins_edit_templates(string role, bool allowed) =>
        Assert.Equal(allowed, TemplateVersioning.WhyCannotEdit(new Caller("someone@demo.test", [role], null)) is null);
}
