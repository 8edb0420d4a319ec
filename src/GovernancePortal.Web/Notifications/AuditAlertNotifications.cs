using GovernancePortal.Audit;
using GovernancePortal.Identity;

namespace GovernancePortal.Notifications;

/// <summary>Admins and Auditors hear of a failed audit verification once per alert it raises, not on every run that finds the same fault.</summary>
public sealed class AuditAlertNotifications(Notifier notifier)
{
    public const string Kind = "audit.verification-failed";
    public const string Link = "/audit/verify";

    public async Task AlertRaisedAsync(AuditAlert alert, CancellationToken cancellationToken)
    {
        var people = (await notifier.PeopleWithRoleAsync(Roles.Admin, cancellationToken))
            .Concat(await notifier.PeopleWithRoleAsync(Roles.Auditor, cancellationToken)).Select(p => p.Username);
        var at = alert.FirstInvalidSequence is { } sequence ? $" at event #{sequence}" : "";
        notifier.Send(people, new(Kind, $"Audit trail verification failed: {alert.Fault}{at}",
            $"Verification found the audit trail invalid{at}: {alert.Reason} Until it is resolved, no checkpoint is signed over it.", Link));
    }
}
