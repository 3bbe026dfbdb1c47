using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NotifierSpec.Reference;

/// <summary>
/// One trace line (docs/trace-format.md): a call entering the model, or one step of an actor.
/// Fields are kept as ordered (name, value) pairs and turned into JSON on demand, so the hot path
/// does not pay for serialization when no trace is written.
/// </summary>
public sealed record TraceLine(string Kind, string Actor, string Op, (string Key, object? Value)[] Fields)
{
    public object? Get(string key)
    {
        foreach (var (k, v) in Fields) if (k == key) return v;
        return null;
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["kind"] = Kind, ["actor"] = Actor, ["op"] = Op };
        foreach (var (k, v) in Fields) o[k] = ToNode(v);
        return o;
    }

    public string ToJsonLine() => ToJson().ToJsonString();

    public static JsonNode? ToNode(object? v) => v switch
    {
        null => null,
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        Pte p => PteJson(p),
        DevicePte d => new JsonObject { ["frame"] = d.Frame, ["gen"] = d.Generation, ["write"] = d.Writable },
        PageRange r => new JsonArray(r.Start, r.End),
        int[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        string[] a => new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        Vma[] vs => new JsonArray(vs.Select(v => (JsonNode?)new JsonObject
        {
            ["start"] = v.Start, ["end"] = v.End, ["prot"] = PteText.ProtText(v.Prot), ["shared"] = v.Shared, ["mlocked"] = v.Mlocked,
            ["mergeable"] = v.Mergeable, ["thp"] = v.Thp, ["hugetlb"] = v.Hugetlb,
        }).ToArray()),
        JsonNode n => n.DeepClone(),
        _ => JsonValue.Create(v.ToString()),
    };

    public static JsonObject PteJson(Pte p) => new()
    {
        ["frame"] = p.Frame, ["prot"] = PteText.ProtText(p.Prot), ["dirty"] = p.Dirty, ["young"] = p.Young,
        ["soft_dirty"] = p.SoftDirty, ["huge"] = p.Huge,
    };

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Actor).Append(' ').Append(Op);
        foreach (var (k, v) in Fields)
        {
            if (v is null) continue;
            sb.Append(' ').Append(k).Append('=').Append(v switch
            {
                Pte p => PteText.Of(p), DevicePte d => PteText.Of(d), int[] a => "[" + string.Join(",", a) + "]",
                string[] a => "[" + string.Join(",", a) + "]", Vma[] vs => string.Join(" ", vs.Select(x => $"[{x.Start},{x.End}){PteText.ProtText(x.Prot)}")),
                JsonNode n => n.ToJsonString(), _ => v.ToString(),
            });
        }
        return sb.ToString();
    }
}

/// <summary>A rule violation: the rule's shared name (docs/rules.md) and what broke it.</summary>
public sealed record Violation(string Rule, string Message)
{
    public override string ToString() => $"{Rule}: {Message}";
}

/// <summary>The result of one call or step: the new state, its trace line, and the first rule it broke.</summary>
public readonly record struct StepOutcome(MmState State, TraceLine Line, Violation? Violation);
