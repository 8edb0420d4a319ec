namespace GovernancePortal.Registry;

/// <summary>Why a version exists; decides which part of MAJOR.MINOR.PIPELINE moves.</summary>
public enum ChangeKind
{
    IncompatibleDataChange = 0,
    ImprovedModel = 1,
    PipelineChange = 2,
}
