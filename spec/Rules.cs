namespace NotifierSpec.Invariants;

/// <summary>The rule names of docs/rules.md (the one vocabulary).</summary>
public static class Rules
{
    public const string NoStaleDeviceMapping = "NoStaleDeviceMapping";
    public const string NoFreedFrameAccess = "NoFreedFrameAccess";
    public const string CoherentAccess = "CoherentAccess";
    public const string StartEndPaired = "StartEndPaired";
    public const string RangeCoversChange = "RangeCoversChange";
    public const string TruthfulEvent = "TruthfulEvent";
    public const string SoftDirtyComplete = "SoftDirtyComplete";
}
