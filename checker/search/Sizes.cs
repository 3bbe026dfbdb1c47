using System.Globalization;
using System.Text.RegularExpressions;

namespace NotifierSpec.Checker;

/// <summary>The values of --max-memory (512M, 2G) and --checkpoint-every (30s, 10m, 1h).</summary>
public static partial class Sizes
{
    /// <summary>The smallest --max-memory: below it the pages and the table would be too small to work with.</summary>
    public const long MinMemory = 64 * 1024;

    [GeneratedRegex(@"^([0-9]{1,12})([KMGT]?)B?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizeText();

    [GeneratedRegex(@"^([0-9]{1,9})(ms|s|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntervalText();

    /// <summary>A size such as 64K, 512M, 2G (powers of 1024); null with why when s is not one or is below MinMemory.</summary>
    public static long? Memory(string s, out string? why)
    {
        why = null;
        var m = SizeText().Match(s);
        if (!m.Success) { why = $"expected a size such as 512M or 2G, got '{s}'"; return null; }
        long n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        int shift = char.ToUpperInvariant(m.Groups[2].Value.FirstOrDefault(' ')) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        long bytes = n > (long.MaxValue >> shift) ? long.MaxValue : n << shift;
        if (bytes < MinMemory) { why = $"{s} is below the minimum of 64K"; return null; }
        return bytes;
    }

    /// <summary>An interval such as 500ms, 30s, 10m, 1h; null with why when s is not one.</summary>
    /// <summary>The longest interval taken (a year): beyond it a duration is refused, never an overflow.</summary>
    public const long MaxHours = 24 * 366;

    public static TimeSpan? Interval(string s, out string? why)
    {
        why = null;
        var m = IntervalText().Match(s);
        if (!m.Success) { why = $"expected an interval such as 30s, 10m or 1h, got '{s}'"; return null; }
        long n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var t = m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => n <= MaxHours ? TimeSpan.FromHours(n) : TimeSpan.MaxValue,
        };
        if (t > TimeSpan.FromHours(MaxHours)) { why = $"{s} is longer than {MaxHours}h"; return null; }
        return t;
    }
}
