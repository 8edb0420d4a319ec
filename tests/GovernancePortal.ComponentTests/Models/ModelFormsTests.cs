using System.Security.Claims;
using Bunit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Models;

/// <summary>
/// A registry page over the demo database with the real services, signed in as one persona, with the dialog and snackbar
/// providers the pages confirm and report through. Each test registers the models it acts on under keys of its own.
/// </summary>
public abstract class RegistryPageTest(PortalDatabase database) : BunitTest
{
    protected IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = null!;

    protected void SignIn(string username)
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var persona = DemoPersonas.Find(username)!;
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, persona.ObjectId.ToString()), new Claim(PortalClaims.Name, persona.DisplayName),
            new Claim(PortalClaims.PreferredUsername, persona.Username), new Claim(PortalClaims.Roles, persona.Role));
        authorization.SetPolicies(persona.Role switch
        {
            Roles.ComplianceOfficer => [Policies.Reader, Policies.Approver, Policies.PromotionDecider, Policies.RollbackParticipant],
            Roles.ModelOwner => [Policies.Reader, Policies.ModelOwner, Policies.ModelEditor, Policies.PromotionDecider, Policies.RollbackParticipant],
            Roles.Auditor => [Policies.Reader, Policies.AuditReader],
            Roles.Admin => [Policies.Reader, Policies.Admin, Policies.ModelEditor, Policies.AuditReader],
            _ => [Policies.Reader],
        });
        Dialogs = Context.Render<MudDialogProvider>();
        Context.Render<MudPopoverProvider>();
    }

    protected async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    protected Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work) => InScopeAsync(sp => work(sp.GetRequiredService<GovernanceDbContext>()));

    protected string Uri => Context.Services.GetRequiredService<NavigationManager>().Uri;

    protected IReadOnlyList<Snackbar> Snackbars => Context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.ToList();

    protected static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>A model of owner@demo.test's team (High risk, personal data) with version 1.0.0, registered through the service.</summary>
    protected Task<string> RegisterAsync(string key, string owner = "owner@demo.test") => InScopeAsync(async sp =>
    {
        var persona = DemoPersonas.Find(owner)!;
        var caller = new Caller(owner, [Roles.ModelOwner], persona.Team);
        var registry = sp.GetRequiredService<RegistryService>();
        Assert.Null((await registry.RegisterModelAsync(caller, new RegisterModelRequest(key, "Loan pricing", "Suggests a rate band for personal loans.", owner,
            "Head of Lending", persona.Team, "Pricing", RiskTier.High, [DataCategories.PersonalData], ["pricing", "lending"]))).Failure);
        Assert.Null((await registry.RegisterVersionAsync(caller, key, new RegisterVersionRequest("1.0.0", ChangeKind.ImprovedModel, "First.", $"s3://ml/{key}/1.0.0",
            new string('a', 64), null, [new MetricRequest("auc", 0.8, "holdout", null, 0.7, true)]))).Failure);
        return key;
    });

    protected Task<Model> StoredAsync(string key) => DbAsync(db => db.Models.AsNoTracking().SingleAsync(m => m.Key == key));

    protected Task<List<Audit.AuditEvent>> EventsAsync(string action, string key) =>
        DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == action && e.Payload.Contains(key)).OrderBy(e => e.Sequence).ToListAsync());

    protected static Task SelectAsync<T>(IRenderedComponent<MudSelect<T>> select, T value) => select.InvokeAsync(() => select.Instance.SelectOption(value));

    protected static void Type(IRenderedComponent<IComponent> page, string testId, string text) =>
        page.Find($"[data-testid={testId}] input, [data-testid={testId}] textarea").Change(text);

    protected static async Task WaitAsync(IRenderedComponent<IComponent> page, Action assertion) =>
        await page.WaitForAssertionAsync(assertion, TimeSpan.FromSeconds(30));
}

/// <summary>
/// The register-model, register-version and edit-model forms through their pages: what the person typed is saved and
/// audited as that person, errors stand at their fields with what was typed, and a stale edit shows what changed meanwhile.
/// </summary>
public sealed class ModelFormsTests(PortalDatabase database) : RegistryPageTest(database), IClassFixture<PortalDatabase>
{
    [Fact]
    public async Task An_owner_registers_a_model_and_a_version_through_the_forms_and_both_are_audited_as_the_owner()
    {
        SignIn("owner2@demo.test");
        var key = NewKey("bed");
        IRenderedComponent<IComponent> form = Render<RegisterModelPage>(uri: "http://localhost/models/new");
        await WaitAsync(form, () => Assert.False(form.Find("[data-testid=register]").HasAttribute("disabled")));
        Assert.Equal("Clinical AI", form.Find("[data-testid=team]").TextContent);

        Type(form, "model-key", key);
        Type(form, "model-name", "Bed occupancy forecast");
        Type(form, "model-description", "Forecasts ward occupancy <b>three days</b> ahead.");
        Type(form, "model-tags", "Operations, capacity");
        await SelectAsync(form.FindComponent<MudSelect<RiskTier?>>(), RiskTier.Limited);
        form.Find("[data-testid=phi] input").Change(true);
        // The regulatory flags decide which checklists apply (ChecklistApplicability); the form sets them at registration.
        form.Find("[data-testid=eu-data-subjects] input").Change(true);
        form.Find("[data-testid=automated-legal-effect] input").Change(true);
        var businessOwner = form.FindComponents<MudAutocomplete<string>>().Single(a => a.Instance.Label == "Business owner");
        await businessOwner.InvokeAsync(() => businessOwner.Instance.SelectOptionAsync("Head of wards"));
        form.Find("form").Submit();

        await WaitAsync(form, () => Assert.EndsWith($"/models/{key}", Uri));
        Assert.Contains(Snackbars, s => s.Message == "Model 'Bed occupancy forecast' registered. Register its first version next.");
        var model = await StoredAsync(key);
        Assert.Equal(("owner2@demo.test", "Clinical AI", RiskTier.Limited, DataCategories.ProtectedHealthInformation, "operations,capacity", "Head of wards"),
            (model.Owner, model.Team, model.RiskTier, model.DataCategories, model.Tags, model.BusinessOwner));
        Assert.True(model.EuDataSubjects && model.AutomatedLegalEffect);
        Assert.Equal("owner2@demo.test", Assert.Single(await EventsAsync("model.registered", key)).ActorUsername);

        IRenderedComponent<IComponent> versionForm = Render<RegisterVersionPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}/versions/new");
        await WaitAsync(versionForm, () => versionForm.Find("[data-testid=version-number]"));
        Type(versionForm, "version-number", "1.0.0");
        await SelectAsync(versionForm.FindComponent<MudSelect<ChangeKind?>>(), ChangeKind.ImprovedModel);
        Type(versionForm, "version-reason", "First release.");
        Type(versionForm, "version-artifact", $"s3://ml/{key}/1.0.0");
        Type(versionForm, "version-sha", new string('c', 64));
        Type(versionForm, "version-metrics", "mape, 0.08, 2025-winter, overall, 0.1, lower\nmape, 0.12, 2025-winter, paediatrics, , lower");
        versionForm.Find("form").Submit();

        await WaitAsync(versionForm, () => Assert.EndsWith($"/models/{key}/versions/1.0.0?tab=card", Uri));
        var stored = await DbAsync(db => db.ModelVersions.Include(v => v.Metrics).SingleAsync(v => v.Model.Key == key));
        Assert.Equal(2, stored.Metrics.Count);
        Assert.Contains(stored.Metrics, m => m.Slice == "paediatrics" && m.Threshold is null && !m.HigherIsBetter);
        Assert.Equal("owner2@demo.test", Assert.Single(await EventsAsync("version.registered", key)).ActorUsername);
    }

    [Fact]
    public async Task A_wrong_version_number_and_bad_metrics_are_told_at_their_fields_keep_what_was_typed_and_save_nothing()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("wrong"));
        IRenderedComponent<IComponent> form = Render<RegisterVersionPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}/versions/new");
        await WaitAsync(form, () => form.Find("[data-testid=next-numbers]"));
        Assert.Contains("1.1.0", form.Find("[data-testid=next-numbers]").TextContent);

        Type(form, "version-number", "1.2.0");
        await SelectAsync(form.FindComponent<MudSelect<ChangeKind?>>(), ChangeKind.ImprovedModel);
        Type(form, "version-reason", "Skipping a number.");
        Type(form, "version-artifact", $"s3://ml/{key}/1.2.0");
        Type(form, "version-sha", new string('d', 64));
        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.Contains("Expected 1.1.0", form.Find("[data-testid=version-number]").TextContent));
        Assert.Equal("1.2.0", form.Find("[data-testid=version-number] input").GetAttribute("value"));

        Type(form, "version-number", "1.1.0");
        Type(form, "version-metrics", "auc, high, holdout");
        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.Contains("Line 1", form.Find("[data-testid=version-metrics]").TextContent));

        Assert.Equal(1, await DbAsync(db => db.ModelVersions.CountAsync(v => v.Model.Key == key)));
        Assert.EndsWith("/versions/new", Uri);
    }

    [Fact]
    public async Task A_taken_key_and_a_missing_name_are_told_at_their_fields()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("taken"));
        IRenderedComponent<IComponent> form = Render<RegisterModelPage>(uri: "http://localhost/models/new");
        await WaitAsync(form, () => Assert.False(form.Find("[data-testid=register]").HasAttribute("disabled")));

        Type(form, "model-key", key);
        await SelectAsync(form.FindComponent<MudSelect<RiskTier?>>(), RiskTier.Minimal);
        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.Contains("Give the model a name.", form.Find("[data-testid=model-name]").TextContent));

        Type(form, "model-name", "A second model");
        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.Contains("already registered", form.Find("[data-testid=model-key]").TextContent));
        Assert.Equal(1, await DbAsync(db => db.Models.CountAsync(m => m.Key == key)));
    }

    [Fact]
    public async Task An_owner_sets_EU_data_subjects_on_the_edit_page_and_it_is_audited_as_the_owner_with_before_and_after()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("edit"));
        IRenderedComponent<IComponent> form = Render<EditModelPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}/edit");
        await WaitAsync(form, () => form.Find("[data-testid=save-details]"));
        Assert.Equal("Loan pricing", form.Find("[data-testid=model-name] input").GetAttribute("value"));

        form.Find("[data-testid=eu-data-subjects] input").Change(true);
        Type(form, "model-use-case", "Savings reminders");
        form.Find("form").Submit();

        await WaitAsync(form, () => Assert.EndsWith($"/models/{key}", Uri));
        Assert.Contains(Snackbars, s => s.Message == "Details of 'Loan pricing' saved.");
        var stored = await StoredAsync(key);
        Assert.Equal((true, "Savings reminders", 1), (stored.EuDataSubjects, stored.UseCase, stored.Revision));
        var audit = Assert.Single(await EventsAsync("model.updated", key));
        Assert.Equal("owner@demo.test", audit.ActorUsername);
        Assert.Contains("\"euDataSubjects\":{\"after\":true,\"before\":false}", audit.Payload);
    }

    [Fact]
    public async Task Bad_details_are_told_at_their_fields_and_nothing_is_saved()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("bad"));
        IRenderedComponent<IComponent> form = Render<EditModelPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}/edit");
        await WaitAsync(form, () => form.Find("[data-testid=save-details]"));

        Type(form, "model-name", "");
        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.Contains("Give the model a name.", form.Find("[data-testid=model-name]").TextContent));

        Type(form, "model-name", "Loan pricing");
        Type(form, "model-tags", "ok, not ok!");
        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.Contains("A tag is 1 to 40 letters", form.Find("[data-testid=model-tags]").TextContent));
        Assert.Equal("ok, not ok!", form.Find("[data-testid=model-tags] input").GetAttribute("value"));

        var stored = await StoredAsync(key);
        Assert.Equal((0, "pricing,lending"), (stored.Revision, stored.Tags));
    }

    [Fact]
    public async Task A_save_on_top_of_someone_elses_change_is_refused_shows_what_changed_and_the_next_save_lands_on_top()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("stale"));
        IRenderedComponent<IComponent> form = Render<EditModelPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}/edit");
        await WaitAsync(form, () => form.Find("[data-testid=save-details]"));
        await InScopeAsync(async sp => (await sp.GetRequiredService<RegistryService>().UpdateModelAsync(new Caller("admin@demo.test", [Roles.Admin], null), key,
            new UpdateModelRequest(null, null, null, null, RiskTier.Prohibited, null, null, null, null, null))).Value!);

        Type(form, "model-name", "Loan pricing v2");
        form.Find("form").Submit();
        await WaitAsync(form, () => form.Find("[data-testid=changed-meanwhile]"));
        var meanwhile = form.Find("[data-testid=changed-meanwhile]").TextContent;
        Assert.Contains("Risk tier", meanwhile);
        Assert.Contains("Prohibited", meanwhile);
        Assert.Contains("changed after you opened it", Snackbars.Last().Message);
        Assert.Equal("Loan pricing v2", form.Find("[data-testid=model-name] input").GetAttribute("value"));
        Assert.Equal(("Loan pricing", RiskTier.Prohibited), ((await StoredAsync(key)).Name, (await StoredAsync(key)).RiskTier));

        form.Find("form").Submit();
        await WaitAsync(form, () => Assert.EndsWith($"/models/{key}", Uri));
        var stored = await StoredAsync(key);
        Assert.Equal(("Loan pricing v2", RiskTier.High, 2), (stored.Name, stored.RiskTier, stored.Revision));
    }

    [Fact]
    public async Task Another_team_is_told_why_and_gets_no_form()
    {
        SignIn("owner2@demo.test");
        var key = await RegisterAsync(NewKey("other"));
        IRenderedComponent<IComponent> form = Render<EditModelPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}/edit");

        await WaitAsync(form, () => Assert.Contains("only its owner and their team", form.Find("[data-testid=refusal]").TextContent));
        Assert.Empty(form.FindAll("[data-testid=save-details]"));
    }
}
