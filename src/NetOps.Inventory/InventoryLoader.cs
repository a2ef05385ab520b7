using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>
/// Loads "inventory as code": every <c>*.yaml</c> and <c>*.yml</c> file of a directory, in name order, merged
/// into one validated <see cref="FleetInventory"/>. Relative times (<c>now-1d</c>) resolve against the
/// injected clock at load time.
/// </summary>
public sealed class InventoryLoader(ICredentialStore credentials, TimeProvider time)
{
    /// <summary>Loads and validates a directory; never throws for bad content, every problem is in the result.</summary>
    public async Task<InventoryLoadResult> LoadDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        var (sources, errors) = await ReadDirectoryAsync(directory, cancellationToken).ConfigureAwait(false);
        return errors.Count > 0 ? InventoryLoadResult.Failure(errors) : Load(sources);
    }

    /// <summary>Parses and validates inventory text that is already in memory (files in the order given).</summary>
    public InventoryLoadResult Load(IReadOnlyList<InventorySource> sources) =>
        new InventoryParser(credentials, time.GetUtcNow()).Parse(sources);

    /// <summary>The inventory files of a directory with their text; problems reading them as errors.</summary>
    /// <remarks>
    /// A file that vanishes between listing and reading is skipped: an editor saving by rename removed it,
    /// and the file watcher reports the new name, which triggers another load.
    /// </remarks>
    public static async Task<(IReadOnlyList<InventorySource> Sources, IReadOnlyList<InventoryError> Errors)> ReadDirectoryAsync(
        string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return ([], [new InventoryError(directory, 0, 0, "", "inventory directory not found")]);
        }

        var sources = new List<InventorySource>();
        var errors = new List<InventoryError>();
        foreach (var path in FilesIn(directory))
        {
            try
            {
                sources.Add(new InventorySource(path, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)));
            }
            catch (FileNotFoundException)
            {
            }
            catch (IOException e)
            {
                errors.Add(new InventoryError(path, 0, 0, "", "cannot read: " + e.Message));
            }
            catch (UnauthorizedAccessException)
            {
                errors.Add(new InventoryError(path, 0, 0, "", "cannot read: access denied"));
            }
        }

        if (sources.Count == 0 && errors.Count == 0)
        {
            errors.Add(new InventoryError(directory, 0, 0, "", "no *.yaml or *.yml files in the inventory directory"));
        }

        return (sources, errors);
    }

    /// <summary>The inventory files of a directory, sorted by name (ordinal) so merge order is stable.</summary>
    public static IReadOnlyList<string> FilesIn(string directory) =>
        [.. Directory.EnumerateFiles(directory)
            .Where(IsInventoryFile)
            .Order(StringComparer.Ordinal)];

    /// <summary>Whether a file name is an inventory file; dot-files (editor swap and temp files) are not.</summary>
    public static bool IsInventoryFile(string path)
    {
        var name = Path.GetFileName(path);
        return !name.StartsWith('.') &&
               (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
    }
}
