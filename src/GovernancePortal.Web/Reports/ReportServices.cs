using GovernancePortal.Hosting;

namespace GovernancePortal.Reports;

/// <summary>PDF reports (ADR-027): the one printer per process, the services, the API and the browser's endpoints.</summary>
public static class ReportServices
{
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section);
        services.AddSingleton<PdfPrinter>();
        services.AddSingleton<ReportRecovery>();
        // Scoped: the HTML renderer takes the scope's services (components' activity source).
        services.AddScoped<ReportHtml>();
        services.AddScoped<ReportSources>();
        services.AddScoped<ReportService>();
        services.AddScoped<ReportVerifier>();
        services.AddScoped<ReportJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").MapReportApi();
        app.MapReportDownloads();
        return app;
    }
}
