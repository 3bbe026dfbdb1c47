using NotifierSpec.Checker;
using NotifierSpec.Conformance;

namespace NotifierSpec.Checker.Tests;

/// <summary>Checks a spec written for one test: NAME.tla and NAME.cfg in a fresh temporary folder, run as
/// `notifier check` runs them; the folder is removed afterwards and dropped from the error text.</summary>
internal static class TempSpec
{
    public static (int Exit, CheckResult? Result, string Err) Check(string name, string tla, string cfg, int workers = 1, TextWriter? output = null) =>
        Check(name, tla, cfg, new CheckOptions { Workers = workers, Out = output ?? TextWriter.Null });

    /// <summary>The same with the caller's options (planted bugs, the output writer).</summary>
    public static (int Exit, CheckResult? Result, string Err) Check(string name, string tla, string cfg, CheckOptions options)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"spec-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, name + ".tla"), tla);
            File.WriteAllText(Path.Combine(dir, name + ".cfg"), cfg);
            var err = new StringWriter();
            int exit = ModelRun.CheckOne(Path.Combine(dir, name + ".tla"), Path.Combine(dir, name + ".cfg"),
                options, err, out var r);
            return (exit, r, err.ToString().Replace(dir + Path.DirectorySeparatorChar, ""));
        }
        finally { Directory.Delete(dir, true); }
    }
}
