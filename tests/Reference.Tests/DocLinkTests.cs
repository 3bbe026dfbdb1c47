using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>
/// Every relative link of README.md, docs/*.md and tla/README.md resolves: the file (or folder)
/// exists, and an anchor (<c>file.md#anchor</c>, <c>#anchor</c>) names a heading of that file (as
/// GitHub makes heading anchors) or an explicit <c>&lt;a id="..."&gt;</c>. Links inside code spans
/// and fenced code blocks are not links and are skipped; absolute URLs are not checked.
/// </summary>
public class DocLinkTests
{
    /// <summary>One link found in a markdown text: its 1-based line and column and its target.</summary>
    public sealed record Link(int Line, int Column, string Target);

    private static readonly Regex InlineLink = new(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+""[^""]*"")?\)",
        RegexOptions.CultureInvariant);
    private static readonly Regex Heading = new(@"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex ExplicitAnchor = new(@"<a\s+(?:id|name)=""([^""]+)""", RegexOptions.CultureInvariant);
    private static readonly Regex Scheme = new(@"^[A-Za-z][A-Za-z0-9+.-]*:", RegexOptions.CultureInvariant);

    /// <summary>The inline links of a markdown text, outside fenced code blocks and code spans.</summary>
    public static List<Link> Links(string text)
    {
        var links = new List<Link>();
        string[] lines = text.Split('\n');
        bool fenced = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced) continue;
            string visible = BlankCodeSpans(line);
            foreach (Match m in InlineLink.Matches(visible))
                links.Add(new Link(i + 1, m.Index + 1, m.Groups[1].Value));
        }
        return links;
    }

    /// <summary>The line with every code span (`...`, ``...``) replaced by spaces, columns kept.</summary>
    private static string BlankCodeSpans(string line)
    {
        var sb = new StringBuilder(line);
        int i = 0;
        while (i < line.Length)
        {
            if (line[i] != '`') { i++; continue; }
            int run = 0;
            while (i + run < line.Length && line[i + run] == '`') run++;
            string fence = new('`', run);
            int close = line.IndexOf(fence, i + run, StringComparison.Ordinal);
            while (close >= 0 && close + run < line.Length && line[close + run] == '`')
                close = line.IndexOf(fence, close + run + 1, StringComparison.Ordinal);
            if (close < 0) { i += run; continue; }
            for (int k = i; k < close + run; k++) sb[k] = ' ';
            i = close + run;
        }
        return sb.ToString();
    }

    /// <summary>GitHub's anchor of a heading: lower case, markdown code ticks dropped, every character
    /// other than a letter, digit, '-', '_' or space dropped, spaces turned into '-'.</summary>
    public static string Slug(string heading)
    {
        var sb = new StringBuilder();
        foreach (char c in heading.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c == '-' || c == '_') sb.Append(c);
            else if (c == ' ') sb.Append('-');
        }
        return sb.ToString();
    }

    /// <summary>The anchors a markdown text defines: heading slugs (a repeated one gets -1, -2, ...)
    /// and explicit &lt;a id&gt; / &lt;a name&gt; anchors.</summary>
    public static HashSet<string> Anchors(string text)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool fenced = false;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced) continue;
            var h = Heading.Match(line);
            if (h.Success)
            {
                string slug = Slug(h.Groups[1].Value);
                seen.TryGetValue(slug, out int n);
                anchors.Add(n == 0 ? slug : $"{slug}-{n}");
                seen[slug] = n + 1;
            }
            foreach (Match a in ExplicitAnchor.Matches(line)) anchors.Add(a.Groups[1].Value);
        }
        return anchors;
    }

    /// <summary>The broken links of the markdown file <paramref name="relPath"/> (relative to
    /// <paramref name="root"/>, '/'-separated), each as <c>path:line:col: message</c>.</summary>
    public static List<string> BrokenLinks(string root, string relPath)
    {
        string path = Path.Combine(root, relPath);
        string text = File.ReadAllText(path);
        string dir = Path.GetDirectoryName(path)!;
        var problems = new List<string>();
        foreach (var link in Links(text))
        {
            string target = link.Target;
            string where = $"{relPath}:{link.Line}:{link.Column}";
            if (target.Length == 0) { problems.Add($"{where}: empty link target"); continue; }
            if (Scheme.IsMatch(target)) continue;
            int hash = target.IndexOf('#');
            string file = hash < 0 ? target : target[..hash];
            string? anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
            string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(dir, Uri.UnescapeDataString(file)));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                problems.Add($"{where}: {file} does not exist");
                continue;
            }
            if (anchor is null) continue;
            if (!File.Exists(resolved) || !resolved.EndsWith(".md", StringComparison.Ordinal))
            {
                problems.Add($"{where}: #{anchor} points into {file}, which is not a markdown file");
                continue;
            }
            if (!Anchors(File.ReadAllText(resolved)).Contains(anchor))
                problems.Add($"{where}: {(file.Length == 0 ? relPath : file)} has no anchor #{anchor}");
        }
        return problems;
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NotifierSpec.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>README.md, tla/README.md and every docs/*.md, relative to the root.</summary>
    private static List<string> DocFiles(string root) =>
        ["README.md", "tla/README.md",
         .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .Select(f => "docs/" + Path.GetFileName(f))];

    [Fact]
    public void Every_relative_link_of_the_readme_and_the_docs_resolves()
    {
        string root = Root();
        var problems = DocFiles(root).SelectMany(f => BrokenLinks(root, f)).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The markdown files reachable from README.md by relative links (README.md included),
    /// relative to the root and '/'-separated.</summary>
    public static HashSet<string> Reachable(string root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { "README.md" };
        var queue = new Queue<string>(seen);
        while (queue.Count > 0)
        {
            string rel = queue.Dequeue();
            string dir = Path.GetDirectoryName(Path.Combine(root, rel))!;
            foreach (var link in Links(File.ReadAllText(Path.Combine(root, rel))))
            {
                string file = link.Target.Split('#')[0];
                if (file.Length == 0 || Scheme.IsMatch(file) || !file.EndsWith(".md", StringComparison.Ordinal)) continue;
                string full = Path.GetFullPath(Path.Combine(dir, Uri.UnescapeDataString(file)));
                if (!File.Exists(full)) continue;
                string next = Path.GetRelativePath(root, full).Replace('\\', '/');
                if (seen.Add(next)) queue.Enqueue(next);
            }
        }
        return seen;
    }

    [Fact]
    public void Every_docs_file_is_reachable_from_the_readme()
    {
        string root = Root();
        var reachable = Reachable(root);
        var unlinked = DocFiles(root).Where(f => !reachable.Contains(f)).ToList();
        Assert.True(unlinked.Count == 0,
            "not reachable by links from README.md (add each to its Documentation list): " + string.Join(", ", unlinked));
    }

    [Fact]
    public void A_planted_broken_link_and_a_missing_anchor_are_reported_at_their_position()
    {
        string root = Path.Combine(Path.GetTempPath(), "doclinks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "docs"));
        try
        {
            File.WriteAllText(Path.Combine(root, "docs", "b.md"),
                "# B\n\n## Trace validation (`trace/`)\n\n<a id=\"explicit-anchor\"></a>\n## Twice\n## Twice\n");
            File.WriteAllText(Path.Combine(root, "a.md"), string.Join("\n",
                "# A",
                "See [b](docs/b.md), [trace](docs/b.md#trace-validation-trace), [x](docs/b.md#explicit-anchor),",
                "[second](docs/b.md#twice-1) and [top](#a) and [site](https://example.org/nope).",
                "Broken: [gone](docs/missing.md) and [anchor](docs/b.md#no-such-heading), [self](#nope).",
                "Not links: `[code](docs/none.md)` and",
                "```",
                "[fenced](docs/none.md)",
                "```",
                "[folder](docs) [third](docs/b.md#twice-2)"));
            Assert.Equal(
                [
                    "a.md:4:9: docs/missing.md does not exist",
                    "a.md:4:37: docs/b.md has no anchor #no-such-heading",
                    "a.md:4:74: a.md has no anchor #nope",
                    "a.md:9:16: docs/b.md has no anchor #twice-2",
                ],
                BrokenLinks(root, "a.md"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void A_planted_docs_file_that_nothing_links_is_not_reachable()
    {
        string root = Path.Combine(Path.GetTempPath(), "doclinks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "docs"));
        try
        {
            File.WriteAllText(Path.Combine(root, "README.md"), "[a](docs/a.md#x) `[c](docs/c.md)`\n");
            File.WriteAllText(Path.Combine(root, "docs", "a.md"), "# x\n[b](b.md) [readme](../README.md)\n");
            File.WriteAllText(Path.Combine(root, "docs", "b.md"), "[a](a.md)\n");
            File.WriteAllText(Path.Combine(root, "docs", "c.md"), "[a](a.md)\n");
            Assert.Equal(["README.md", "docs/a.md", "docs/b.md"], Reachable(root).Order(StringComparer.Ordinal));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Headings_become_GitHub_anchors()
    {
        Assert.Equal("trace-validation-trace", Slug("Trace validation (`trace/`)"));
        Assert.Equal("tla-model-checker", Slug("TLA+ model checker"));
        Assert.Equal("test-counts-2026-12-05", Slug("Test counts (2026-12-05)"));
        Assert.Equal("long-runs-ci-false", Slug("Long runs (`\"ci\": false`)"));
    }

    [Fact]
    public void The_readme_has_links_to_check()
    {
        // Guards against a link pattern that silently matches nothing.
        var links = Links(File.ReadAllText(Path.Combine(Root(), "README.md")));
        Assert.True(links.Count >= 10, $"only {links.Count} links found in README.md");
    }
}
