using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Conformance.Tests;

/// <summary>A test class that writes traces: each test gets its own temporary directory (a prefix per class), deleted after
/// the test.</summary>
public abstract class TraceDirTests(string prefix) : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The path of NAME.jsonl in the directory.</summary>
    protected string PathOf(string name) => Path.Combine(Dir, name + ".jsonl");

    /// <summary>The session's trace written as NAME.jsonl, once the session is seen to have met no violation; its path.</summary>
    protected string Written(Session s, string name)
    {
        Assert.Null(s.FirstViolation);
        var path = PathOf(name);
        TraceFile.Write(path, s);
        return path;
    }
}
