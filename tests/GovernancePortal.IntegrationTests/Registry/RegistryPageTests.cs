using System.Net;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Registry;

public abstract class RegistryPageTests(PortalFactory portal)
{
    [Fact]
    public async Task An_owner_registers_a_model_and_a_version_by_hand()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var form = await owner.GetDocumentAsync("/models/new");

        var created = await owner.PostFormAsync("/models/new", form, new()
        {
            ["_handler"] = "register-model", ["Input.Key"] = "bed-occupancy", ["Input.Name"] = "Bed occupancy forecast",
            ["Input.Owner"] = "owner2@demo.test", ["Input.RiskTier"] = "Limited", ["Input.ProtectedHealthInformation"] = "true",
            ["Input.Tags"] = "Operations, capacity", ["Input.Description"] = "Forecasts ward occupancy <b>three days</b> ahead.",
        });
        Assert.Equal("/models/bed-occupancy", created.Headers.Location!.AbsolutePath);
        var model = await owner.GetDocumentAsync("/models/bed-occupancy");
        Assert.Contains("registered", model.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Contains("<b>three days</b>", model.QuerySelector(".subtitle")!.TextContent);

        var versionForm = await owner.GetDocumentAsync("/models/bed-occupancy/versions/new");
        var version = await owner.PostFormAsync("/models/bed-occupancy/versions/new", versionForm, new()
        {
            ["_handler"] = "register-version", ["Input.Version"] = "1.0.0", ["Input.ChangeKind"] = "ImprovedModel",
            ["Input.ChangeReason"] = "First release.", ["Input.ArtifactUri"] = "s3://ml/bed/1.0.0", ["Input.ArtifactSha256"] = new string('c', 64),
            ["Input.Metrics"] = "mape, 0.08, 2025-winter, overall, 0.1, lower\nmape, 0.12, 2025-winter, paediatrics, , lower",
        });
        Assert.Equal("/models/bed-occupancy/versions/1.0.0", version.Headers.Location!.AbsolutePath);
        var stored = await portal.WithDbAsync(db => db.ModelVersions.Include(v => v.Metrics).Include(v => v.Model).SingleAsync(v => v.Model.Key == "bed-occupancy"));
        Assert.Equal(DataCategories.ProtectedHealthInformation, stored.Model.DataCategories);
        Assert.Equal("operations,capacity", stored.Model.Tags);
        Assert.Equal(2, stored.Metrics.Count);
        Assert.Contains(stored.Metrics, m => m.Slice == "paediatrics" && m.Threshold is null && !m.HigherIsBetter);
    }

    [Fact]
    public async Task A_wrong_version_number_is_explained_beside_the_field_and_nothing_is_saved()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var form = await owner.GetDocumentAsync("/models/churn-retail/versions/new");
        var before = await portal.WithDbAsync(db => db.ModelVersions.CountAsync());

        var response = await owner.PostFormAsync("/models/churn-retail/versions/new", form, new()
        {
            ["_handler"] = "register-version", ["Input.Version"] = "2.4.0", ["Input.ChangeKind"] = "ImprovedModel",
            ["Input.ChangeReason"] = "Skipping a number.", ["Input.ArtifactUri"] = "s3://ml/churn/2.4.0", ["Input.ArtifactSha256"] = new string('d', 64),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = PortalClient.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("Expected 2.3.0", page.QuerySelector(".field-invalid .field-error")!.TextContent);
        Assert.Equal("2.4.0", page.QuerySelector("#version-number")!.GetAttribute("value"));
        Assert.Contains("2.3.0", page.QuerySelector("[data-testid=next-numbers]")!.TextContent);
        Assert.Equal(before, await portal.WithDbAsync(db => db.ModelVersions.CountAsync()));
    }

    [Fact]
    public async Task An_admin_reassigns_ownership_and_the_team_follows_and_others_cannot()
    {
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var ownerPage = await owner.GetDocumentAsync("/models/demand-forecast-stores");
        Assert.Null(ownerPage.QuerySelector("#new-owner"));
        await owner.PostFormAsync("/models/demand-forecast-stores", ownerPage, new() { ["_handler"] = "reassign-owner", ["NewOwner"] = "owner@demo.test" });
        Assert.Equal("owner2@demo.test", await portal.WithDbAsync(db => db.Models.Where(m => m.Key == "demand-forecast-stores").Select(m => m.Owner).SingleAsync()));

        var page = await admin.GetDocumentAsync("/models/demand-forecast-stores");
        await admin.PostFormAsync("/models/demand-forecast-stores", page, new() { ["_handler"] = "reassign-owner", ["NewOwner"] = "owner@demo.test" });

        var model = await portal.WithDbAsync(db => db.Models.SingleAsync(m => m.Key == "demand-forecast-stores"));
        Assert.Equal(("owner@demo.test", "Credit Risk Analytics"), (model.Owner, model.Team));
        var audit = await portal.WithDbAsync(db => db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync(e => e.Action == "model.ownership-reassigned"));
        Assert.Equal("admin@demo.test", audit.ActorUsername);
        Assert.Contains("\"owner\":{\"after\":\"owner@demo.test\",\"before\":\"owner2@demo.test\"}", audit.Payload);
    }

    [Theory]
    [InlineData("viewer@demo.test")]
    [InlineData("auditor@demo.test")]
    [InlineData("compliance@demo.test")]
    public async Task Readers_cannot_open_the_registration_forms(string username)
    {
        var client = await PortalClient.SignedInAsync(portal, username);

        foreach (var path in new[] { "/models/new", "/models/churn-retail/versions/new", "/models/churn-retail/versions/2.2.0/card" })
        {
            var response = await client.Http.GetAsync(path);
            Assert.Equal("/account/access-denied", response.Headers.Location?.AbsolutePath);
        }
    }
}

public sealed class RegistryPageTestsOnSqlite(SqlitePortal portal) : RegistryPageTests(portal), IClassFixture<SqlitePortal>;

public sealed class RegistryPageTestsOnPostgreSql(PostgreSqlPortal portal) : RegistryPageTests(portal), IClassFixture<PostgreSqlPortal>;
