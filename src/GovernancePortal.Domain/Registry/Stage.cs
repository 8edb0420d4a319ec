namespace GovernancePortal.Registry;

public enum Stage
{
    Development = 0,
    Staging = 1,
    Production = 2,
    Retired = 3,
    Archived = 4,
}
