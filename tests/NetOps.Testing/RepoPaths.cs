namespace NetOps.Testing;

/// <summary>Where the repository and the build outputs of its programs are, for tests that run them.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the folder above the tests that holds NetOps.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (the programs they run were built alike).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";

    /// <summary>The built output folder of a project under src/.</summary>
    public static string Output(string project) => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NetOps.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("NetOps.sln not found above " + AppContext.BaseDirectory);
    }
}
