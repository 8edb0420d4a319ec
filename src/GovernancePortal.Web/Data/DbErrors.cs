using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GovernancePortal.Data;

public static class DbErrors
{
    /// <summary>True when a save failed because a unique index already holds the value (a lost race, usually).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        // 2067 = SQLITE_CONSTRAINT_UNIQUE, 1555 = SQLITE_CONSTRAINT_PRIMARYKEY
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>True when a save failed because a row it refers to (or that refers to it) changed meanwhile (a lost race, usually).</summary>
    public static bool IsForeignKeyViolation(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        // 787 = SQLITE_CONSTRAINT_FOREIGNKEY
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 787,
        _ => false,
    };
}
