namespace NetOps.Testing;

/// <summary>
/// The demo inventory's site plan images (config/inventory/plans): its events name them relative to the inventory, so a
/// test's copy of the inventory files needs them beside it.
/// </summary>
public static class DemoPlans
{
    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "config", "inventory", "plans");

    /// <summary>Copies the plan images into <c>plans/</c> of an inventory directory.</summary>
    public static void CopyTo(string inventoryDirectory)
    {
        var target = System.IO.Directory.CreateDirectory(Path.Combine(inventoryDirectory, "plans")).FullName;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }
}
