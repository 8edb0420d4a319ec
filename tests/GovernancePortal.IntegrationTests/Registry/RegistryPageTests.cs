using System.Net;
using GovernancePortal.Testing;

namespace GovernancePortal.Registry;

public abstract class RegistryPageTests(PortalFactory portal)
{
    // Registering, editing and reassigning through the pages are bUnit tests now (ComponentTests/Models); the pages answer GETs here.
    [Fact]
    public async Task The_model_and_version_pages_render_every_tab_for_a_reader_and_the_admin_only_is_offered_ownership()
    {
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");

        var model = await viewer.GetDocumentAsync("/models/credit-default-pd?tab=versions");
        var version = await viewer.GetDocumentAsync("/models/credit-default-pd/versions/1.2.0?tab=history");
        var adminModel = await admin.GetDocumentAsync("/models/credit-default-pd");
        var unknown = await viewer.Http.GetAsync("/models/no-such-model");
        var unknownVersion = await viewer.Http.GetAsync("/models/credit-default-pd/versions/9.9.9");

        Assert.NotEmpty(model.QuerySelectorAll("[data-testid=versions] tbody tr"));
        Assert.Null(model.QuerySelector("[data-testid=ownership]"));
        Assert.NotNull(adminModel.QuerySelector("[data-testid=ownership]"));
        foreach (var panel in new[] { "metrics", "model-card", "compliance", "lineage", "version-gates", "stage-history" })
        {
            Assert.True(version.QuerySelector($"[data-testid={panel}]") is not null, $"the version page lacks {panel}");
        }
        Assert.NotEmpty(version.QuerySelectorAll("[data-testid=stage-change]"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
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
