using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Data;

public static class ConcurrentSaves
{
    /// <summary>
    /// Saves, or answers false when a concurrency token shows someone else changed or removed a row first. The tracker is
    /// cleared then, so the caller can read the current state afresh; nothing of this save was written.
    /// </summary>
    public static async Task<bool> TrySaveChangesAsync(this DbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
