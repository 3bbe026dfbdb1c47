using System.Text;

namespace NotifierSpec.Reference;

/// <summary>Writes a session as a JSON-lines trace (docs/trace-format.md): a config line, then one line per call or step.</summary>
public static class TraceFile
{
    public static void Write(string path, Session s)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(w, s);
    }

    public static void Write(TextWriter w, Session s)
    {
        w.WriteLine(ConfigLine(s.State.Config));
        foreach (var l in s.Trace) w.WriteLine(l.ToJsonLine());
    }

    public static string ConfigLine(MmConfig c) => TraceConfig.ToJson(c).ToJsonString();
}
