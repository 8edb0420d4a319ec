using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GovernancePortal.Jobs;

public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Process background jobs in this instance. Tests turn it off and call the jobs directly.</summary>
    public bool Enabled { get; set; } = true;

    public int WorkerCount { get; set; } = 4;

    /// <summary>Retries after a failed run; when they are used up the job is Failed and Admins are alerted.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Seconds before each retry; empty for Hangfire's growing delays.</summary>
    public int[] RetryDelaysInSeconds { get; set; } = [];

    /// <summary>How long a run waits for another instance's run of the same job to finish before it fails (and is retried).</summary>
    public int ConcurrencyTimeoutSeconds { get; set; } = 300;

    /// <summary>How often a server looks for queued work and due retries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Background jobs on Hangfire (ADR-018): in the portal's PostgreSQL database (schema <c>hangfire</c>) or, on SQLite, in
/// memory. Every job is a catch-up sweep guarded in the database; Hangfire's distributed lock keeps two instances from
/// running one job at once. Storage, filters and activator are this host's own, not Hangfire's static globals, so several
/// portals in one process (the tests) do not share them.
/// </summary>
public static class JobsServices
{
    public const string DashboardPath = "/admin/jobs";
    public const string PostgreSqlSchema = "hangfire";

    /// <summary>The recurring jobs, registered at every start (cron in UTC).</summary>
    public static readonly IReadOnlyList<(string Id, Type Job, string Cron)> Schedule =
    [
        (AuditCheckpointJob.Id, typeof(AuditCheckpointJob), Cron.Minutely()),
        (AuditVerificationJob.Id, typeof(AuditVerificationJob), "*/15 * * * *"),
        (PromotionExpiryJob.Id, typeof(PromotionExpiryJob), "*/15 * * * *"),
        (RollbackExpiryJob.Id, typeof(RollbackExpiryJob), "*/15 * * * *"),
        (AuthorizationRefusalJob.Id, typeof(AuthorizationRefusalJob), Cron.Minutely()),
        (Retirement.RetirementReminderJob.Id, typeof(Retirement.RetirementReminderJob), "7 * * * *"),
        (Reviews.ReviewReminderJob.Id, typeof(Reviews.ReviewReminderJob), "17 * * * *"),
        (SessionSweepJob.Id, typeof(SessionSweepJob), "*/15 * * * *"),
        (Reports.ReportJob.Id, typeof(Reports.ReportJob), Cron.Minutely()),
        (Notifications.NotificationDeliveryJob.Id, typeof(Notifications.NotificationDeliveryJob), Cron.Minutely()),
        (Notifications.NotificationDigestJob.Id, typeof(Notifications.NotificationDigestJob), "*/10 * * * *"),
        (Webhooks.WebhookDeliveryJob.Id, typeof(Webhooks.WebhookDeliveryJob), Cron.Minutely()),
    ];

    public static void AddPortalJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section);
        var options = builder.Configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>() ?? new SchedulingOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString(DataServices.ConnectionStringName);

        foreach (var (_, job, _) in Schedule)
        {
            // Features may register their own job with its dependencies; the rest are plain scoped services.
            builder.Services.TryAddScoped(job);
        }
        builder.Services.AddScoped<JobFailureAlerter>();
        // Registered before AddHangfire, whose TryAdd then leaves them in place of JobStorage.Current and the global filters.
        builder.Services.AddSingleton<JobStorage>(_ => CreateStorage(database.Provider, connectionString, options));
        builder.Services.AddSingleton<IJobFilterProvider>(sp => Filters(sp, options));
        builder.Services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((services, c) => c
            .UseLogProvider(new HostLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        builder.Services.AddHostedService<RecurringJobRegistration>();
        if (options.Enabled)
        {
            // Registered before the web server, so it covers what happened while no portal was up before anyone is served.
            builder.Services.AddHostedService<CheckpointsBeforeServing>();
            builder.Services.AddHangfireServer((_, server) =>
            {
                server.WorkerCount = options.WorkerCount;
                server.SchedulePollingInterval = options.PollInterval;
            });
        }
    }

    /// <summary>The dashboard, for Admins only, at <see cref="DashboardPath"/>.</summary>
    public static void MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        AllowChartsUnderTheContentSecurityPolicy();
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "Background jobs · Governance Portal",
            AppPath = "/",
            DisplayStorageConnectionString = false,
            Authorization = [],
            AsyncAuthorization = [new AdminDashboardAuthorization()],
        }).RequireAuthorization(Policies.Admin);
    }

    internal static JobStorage CreateStorage(DatabaseProvider provider, string? connectionString, SchedulingOptions options)
    {
        if (provider != DatabaseProvider.PostgreSql)
        {
            // Hangfire.Storage.SQLite would bring SQLitePCLRaw 3 beside the portal's 2.1 natives (ADR-018); the jobs are
            // sweeps over the portal's database, so a restart that forgets the schedule misses nothing.
            return new InMemoryStorage();
        }
        var storage = new PostgreSqlStorageOptions
        {
            SchemaName = PostgreSqlSchema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = options.PollInterval,
            // A database that is down at start must not keep the portal from starting (and /health/ready from saying
            // so): a few quick tries, then Hangfire initialises on first use.
            StartupConnectionMaxRetries = 2,
            StartupConnectionBaseDelay = TimeSpan.FromSeconds(1),
            AllowDegradedModeWithoutStorage = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString!, storage), storage);
    }

    /// <summary>Hangfire's default filters with the portal's retry count, one run per job at a time, and the failure alert.</summary>
    private static JobFilterProviderCollection Filters(IServiceProvider services, SchedulingOptions options)
    {
        var retry = new AutomaticRetryAttribute { Attempts = options.RetryAttempts, OnAttemptsExceeded = AttemptsExceededAction.Fail };
        if (options.RetryDelaysInSeconds.Length > 0)
        {
            retry.DelaysInSeconds = options.RetryDelaysInSeconds;
        }
        var filters = new JobFilterCollection();
        filters.Add(new CaptureCultureAttribute());
        filters.Add(new StatisticsHistoryAttribute());
        filters.Add(retry);
        // Per job type and method: the lock lives in the storage, so it holds across every instance on one database.
        filters.Add(new DisableConcurrentExecutionAttribute(options.ConcurrencyTimeoutSeconds));
        filters.Add(ActivatorUtilities.CreateInstance<JobFailureAlertFilter>(services));
        return new JobFilterProviderCollection(filters, new JobFilterAttributeFilterProvider());
    }

    private static int _chartScriptAdded;

    /// <summary>
    /// Chart.js (in the dashboard) inserts a &lt;style&gt; element that the portal's CSP refuses; the dashboard's bundle
    /// already carries that stylesheet, so a script in the bundle turns the insertion off. Hangfire's script list is global.
    /// </summary>
    private static void AllowChartsUnderTheContentSecurityPolicy()
    {
        if (Interlocked.Exchange(ref _chartScriptAdded, 1) == 0)
        {
            DashboardRoutes.AddJavaScript(typeof(JobsServices).Assembly, "GovernancePortal.Jobs.dashboard-charts.js");
        }
    }

    /// <summary>Registers the schedule at start; when the storage cannot be reached then, keeps trying in the background.</summary>
    private sealed class RecurringJobRegistration(IRecurringJobManager jobs, ILogger<RecurringJobRegistration> logger) : IHostedService, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private Task? _retrying;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!TryRegister())
            {
                _retrying = RetryAsync(_stopping.Token);
            }
            return Task.CompletedTask;
        }

        private async Task RetryAsync(CancellationToken stopping)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
            while (await timer.WaitForNextTickAsync(stopping) && !TryRegister())
            {
            }
        }

        private bool TryRegister()
        {
            try
            {
                foreach (var (id, job, cron) in Schedule)
                {
                    jobs.AddOrUpdate(id, new Job(job, RunAsync, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
                }
                return true;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The recurring jobs could not be registered yet; trying again in 30 seconds.");
                return false;
            }
        }

        private static readonly System.Reflection.MethodInfo RunAsync = typeof(IPortalJob).GetMethod(nameof(IPortalJob.RunAsync))!;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            // A test host may be stopped again after it was disposed; there is nothing to stop unless a retry runs.
            if (_retrying is null || _retrying.IsCompleted)
            {
                return;
            }
            await _stopping.CancelAsync();
            try
            {
                await _retrying;
            }
            catch (OperationCanceledException)
            {
            }
        }

        public void Dispose() => _stopping.Dispose();
    }
}

/// <summary>
/// Hangfire's log provider is process-wide, and the last portal host to start sets it. A test process runs several
/// hosts; one that has stopped (its logger factory disposed) must not stop another's job server from starting.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return _inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : Hangfire.Logging.ILog
    {
        public static readonly Silent Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}

/// <summary>The dashboard's own check, behind the endpoint's Admin policy: the cookie principal must satisfy that policy too.</summary>
internal sealed class AdminDashboardAuthorization : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, Policies.Admin)).Succeeded;
    }
}

/// <summary>
/// Catches up on checkpoints before serving (<see cref="CheckpointCatchUp"/>). Nothing at stop: a checkpoint becomes
/// required only once a later event exists, and the next start or command covers the log before writing one.
/// </summary>
internal sealed class CheckpointsBeforeServing(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => CheckpointCatchUp.RunAsync(services, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
