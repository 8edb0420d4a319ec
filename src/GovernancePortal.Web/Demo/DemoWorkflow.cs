using System.Collections.Concurrent;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Demo;

/// <summary>The demo's clock: the seeder sets it to the past moment each step of the story happened at.</summary>
internal sealed class DemoClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Whom the audit trail names for the step being seeded: the persona acting, marked as written by the demo seeder.</summary>
internal sealed class DemoActor : IAuditContextAccessor
{
    public const string Source = "seed-demo";

    public AuditContext Current { get; private set; } = new(AuditActor.System, Source, null);

    public void Act(Persona persona) => Current = new(new AuditActor(persona.ObjectId.ToString(), persona.Username, [persona.Role]), Source, null);
}

/// <summary>
/// The portal's own workflow services (registry, cards, checklists, promotions, retirement) over a DbContext of their own,
/// with the demo's clock and actor in place of the system clock and the HTTP request: the demo portfolio is made by the
/// same code, rules and audit events as a person's clicks, only at dates in the past. Every other dependency comes from
/// the portal's container; the portal's own types are built afresh so that they share this context and clock.
/// </summary>
internal sealed class DemoWorkflow : IServiceProvider, IAsyncDisposable
{
    private static readonly System.Reflection.Assembly Portal = typeof(DemoWorkflow).Assembly;
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<Type, object?> _built = new();

    public DemoWorkflow(IServiceProvider services, DateTimeOffset start)
    {
        _services = services;
        Clock = new DemoClock(start);
        var template = services.GetRequiredService<GovernanceDbContext>();
        Db = (GovernanceDbContext)ActivatorUtilities.CreateInstance(services, template.GetType(), new AuditRecorder(Actor, Clock));
    }

    public DemoClock Clock { get; }

    public DemoActor Actor { get; } = new();

    public GovernanceDbContext Db { get; }

    /// <summary>
    /// One sitting of one person, in one transaction (one commit instead of one per step keeps the seeding quick), followed
    /// by the checkpoints the checkpoint job would have signed by then: the trail's rules require one every so many events
    /// and within minutes of any event (ADR-022), and the story's events are dated in the past.
    /// </summary>
    public async Task<T> SittingAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        Db.ChangeTracker.Clear();
        T result;
        await using (var transaction = await Db.Database.BeginTransactionAsync(cancellationToken))
        {
            result = await work();
            await transaction.CommitAsync(cancellationToken);
        }
        Db.ChangeTracker.Clear();
        var options = _services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuditOptions>>().Value;
        // Without a key nothing can sign (resolving the key would throw): `seed-demo` from a shell without one still seeds.
        if (_services.GetService<IHostEnvironment>() is { } environment && CheckpointKey.StartupProblem(options, environment) is null
            && _services.GetService<CheckpointKey>() is not null)
        {
            // Checkpoints due by age (minutes, as configured outside tests) are cut at the end of every sitting, as the job
            // would have done between sittings; the age is the story's, so the rule of signing only due ones cannot tell.
            var run = await Get<AuditCheckpointService>().CreateDueAsync(force: options.Checkpoint.MaxAge < TimeSpan.FromDays(1), cancellationToken);
            if (run.RefusedBecause is { } refused)
            {
                throw new InvalidOperationException($"Demo data: the audit trail refused a checkpoint: {refused.Reason}");
            }
        }
        return result;
    }

    public T Get<T>() where T : class => (T)GetService(typeof(T))!;

    /// <summary>Acts as <paramref name="username"/> from now on: the caller the services are handed and the actor the trail names.</summary>
    public Caller As(string username)
    {
        var persona = DemoPersonas.Find(username) ?? throw new InvalidOperationException($"{username} is not a demo persona.");
        Actor.Act(persona);
        Db.ChangeTracker.Clear();
        return new Caller(persona.Username, [persona.Role], persona.Team);
    }

    public object? GetService(Type type)
    {
        if (type == typeof(TimeProvider))
        {
            return Clock;
        }
        if (type == typeof(GovernanceDbContext) || type == Db.GetType())
        {
            return Db;
        }
        if (type == typeof(IServiceProvider))
        {
            return this;
        }
        if (type == typeof(IAuditContextAccessor))
        {
            return Actor;
        }
        if (type == typeof(AuditRecorder))
        {
            return Db.Audit;
        }
        if (type == typeof(CheckpointKey))
        {
            // The portal's one signing key, never a second one.
            return _services.GetService(type);
        }
        return _built.GetOrAdd(type, Build);
    }

    private object? Build(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) && Ours(type.GetGenericArguments()[0]))
        {
            // Every implementation the portal registered, built over this context; the story is history, so nobody is e-mailed
            // about it (its notifications are in the portal, as they were then).
            var element = type.GetGenericArguments()[0];
            var registered = ((IEnumerable<object>)_services.GetService(type)!).Where(s => s is not Notifications.EmailChannel).ToList();
            var array = Array.CreateInstance(element, registered.Count);
            for (var i = 0; i < registered.Count; i++)
            {
                array.SetValue(Own(registered[i].GetType()), i);
            }
            return array;
        }
        if (!Ours(type))
        {
            return _services.GetService(type);
        }
        if (type.IsInterface || type.IsAbstract)
        {
            return _services.GetService(type) is { } registered ? Own(registered.GetType()) : null;
        }
        return ActivatorUtilities.CreateInstance(this, type);
    }

    private object Own(Type implementation) => _built.GetOrAdd(implementation, t => ActivatorUtilities.CreateInstance(this, t))!;

    private static bool Ours(Type type) => type.Assembly == Portal;

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}
