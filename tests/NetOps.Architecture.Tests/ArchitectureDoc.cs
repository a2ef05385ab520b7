namespace NetOps.Architecture.Tests;

/// <summary>
/// The picture of the projects in docs/architecture.md: the first fenced block after the heading "Project references",
/// one line per project, <c>NetOps.Web -> NetOps.Core, NetOps.Inventory, NetOps.Storage</c>, or <c>-> (none)</c>.
/// Lines starting with '#' are comments.
/// </summary>
internal static class ArchitectureDoc
{
    public const string RelativePath = "docs/architecture.md";

    public const string Heading = "Project references";

    private const string Arrow = "->";

    private const string None = "(none)";

    /// <summary>Each project the picture names, with the projects it says it references.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> ProjectReferences(string markdown)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var heading = lines.FindIndex(l => l.StartsWith('#') && l.TrimStart('#').Trim().StartsWith(Heading, StringComparison.Ordinal));
        if (heading < 0)
        {
            throw new FormatException($"{RelativePath} has no heading \"{Heading}\"");
        }

        var open = lines.FindIndex(heading + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        var close = open < 0 ? -1 : lines.FindIndex(open + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        if (close < 0)
        {
            throw new FormatException($"{RelativePath}: no fenced block after \"{Heading}\"");
        }

        var picture = new SortedDictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(open + 1).Take(close - open - 1).Select(l => l.Trim()))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var arrow = line.IndexOf(Arrow, StringComparison.Ordinal);
            if (arrow < 0)
            {
                throw new FormatException($"{RelativePath}: \"{line}\" is not \"Project -> Reference, Reference\"");
            }

            var project = line[..arrow].Trim();
            var targets = line[(arrow + Arrow.Length)..].Trim();
            var references = targets == None
                ? new HashSet<string>(StringComparer.Ordinal)
                : targets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            if (!picture.TryAdd(project, references))
            {
                throw new FormatException($"{RelativePath}: {project} is listed twice");
            }
        }

        return picture;
    }
}
