using GovernancePortal.Approvals;
using GovernancePortal.AsOf;
using GovernancePortal.Calendar;
using GovernancePortal.Audit;
using GovernancePortal.Components;
using GovernancePortal.Components.Layout;
using GovernancePortal.Compliance;
using GovernancePortal.Registry;
using GovernancePortal.Jobs;
using GovernancePortal.Data;
using GovernancePortal.Demo;
using GovernancePortal.Home;
using GovernancePortal.Identity;
using GovernancePortal.Notifications;
using GovernancePortal.RateLimiting;
using GovernancePortal.Retirement;
using GovernancePortal.ReviewQueue;
using GovernancePortal.Reviews;
using GovernancePortal.Sessions;
using GovernancePortal.Webhooks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Hosting;

public static class PortalHosting
{
    /// <summary>
    /// Development settings live at the repository root (the design card asks for it); they are copied next to the
    /// build output and loaded in place of the content root's file, below environment variables and arguments.
    /// </summary>
    public static void AddRootDevelopmentSettings(this IHostApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json");
        var sources = builder.Configuration.Sources;
        var appsettings = sources.OfType<JsonConfigurationSource>().LastOrDefault(s => s.Path == "appsettings.json");
        var index = appsettings is null ? 0 : sources.IndexOf(appsettings) + 1;
        var source = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        sources.Insert(index, source);
    }

    public static void AddPortalServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.AddPortalData();
        builder.AddPortalIdentity();
        builder.AddPortalSessions();
        builder.Services.AddPortalProxyHeaders(builder.Configuration);
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddScoped<DatabaseMigrator>();
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddScoped<ModelCatalogue>();
        builder.Services.AddScoped<RegistryService>();
        builder.Services.AddScoped<ModelCardService>();
        builder.Services.AddRegistryPages();
        builder.Services.AddScoped<Approvals.PromotionService>();
        builder.Services.AddScoped<Approvals.PromotionPolicyStore>();
        builder.Services.AddCompliance();
        builder.Services.AddScoped<Approvals.RollbackService>();
        builder.Services.AddApprovals();
        builder.Services.AddNotifications();
        builder.Services.AddRetirement();
        builder.Services.AddReviews();
        builder.Services.AddCalendarFeeds();
        builder.Services.AddWebhooks();
        builder.Services.AddProductionAsOf();
        Catalogue.CatalogueServices.AddCatalogue(builder.Services);
        builder.Services.ConfigureHttpJsonOptions(o => Api.ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section);
        builder.Services.AddSingleton<CheckpointKey>();
        builder.Services.AddScoped<AuditCheckpointService>();
        builder.Services.AddScoped<AuditVerificationService>();
        builder.Services.AddScoped<AuditSearch>();
        builder.Services.AddAuditPages();
        builder.Services.AddAuditWitness();
        builder.AddAuthorizationRefusalFolding();
        builder.AddPortalJobs();
        builder.AddPortalRateLimiting();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddPortalUi();
        builder.Services.AddHome();
        builder.Services.AddReviewQueue();
        Reports.ReportServices.AddReports(builder.Services);
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "gp.antiforgery");
        builder.Services.AddProblemDetails();
        builder.AddOpenApiAccess();
        // Naming the server software only tells a visitor which advisories to try.
        builder.Services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);
        // Only what identifies the request; headers, query strings and bodies may carry keys or personal data.
        builder.Services.AddHttpLogging(o =>
        {
            o.CombineLogs = true;
            o.LoggingFields =
                HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
        });
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
    }

    public static void UsePortal(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseSecurityHeaders(app.Services.EntraSignOutOrigin());
        app.UseHttpLogging();
        // People get a page; API clients get problem details.
        app.UseWhen(c => IdentityServices.IsApiRequest(c.Request), api => api.UseStatusCodePages());
        app.UseWhen(c => !IdentityServices.IsApiRequest(c.Request), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        // Routing after the status-code pages, so that a re-executed request is routed to the not-found page.
        app.UseRouting();
        app.UseAuthentication();
        app.UsePortalRateLimiting();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApiDocument();
        app.MapAccountEndpoints();
        app.MapThemePreference();
        app.MapGroup("/api/v1").MapMeApi().MapAuditApi().MapRegistryApi().MapCardApi().MapPromotionApi().MapPolicyApi().MapChecklistApi().MapTemplateVersionApi()
            .MapRollbackApi().MapRetrospectiveApi().MapNotificationApi()
            .MapReviewQueueApi();
        app.MapRetirement();
        app.MapReviews();
        app.MapCalendarFeeds();
        app.MapWebhooks();
        app.MapProductionAsOf();
        app.MapCardDownloads();
        app.MapEvidenceEndpoints();
        app.MapAuditDownloads();
        app.MapJobsDashboard();
        Reports.ReportServices.MapReports(app);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireSignedInCircuits();
    }

    /// <summary>Settings the portal must not serve with, each said in a sentence an operator can act on.</summary>
    public static IReadOnlyList<string> StartupProblems(this WebApplication app) =>
        new[]
        {
            app.Services.GetRequiredService<IOptions<PortalAuthenticationOptions>>().Value.StartupProblem(app.Environment),
            CheckpointKey.StartupProblem(app.Services.GetRequiredService<IOptions<AuditOptions>>().Value, app.Environment),
        }.OfType<string>().ToList();

    /// <summary>Development conveniences: migrate and seed on start, so one command gives a working portal.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var database = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var demo = scope.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (database.MigrateOnStartup || demo.SeedOnStartup)
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        }
        if (demo.SeedOnStartup)
        {
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        }
    }
}
