using Microsoft.Extensions.Options;

namespace NetOps.Inventory;

/// <summary>Where the inventory lives and how eagerly edits are picked up; section "Inventory".</summary>
public sealed class InventoryOptions
{
    public const string SectionName = "Inventory";

    /// <summary>The directory of <c>*.yaml</c> / <c>*.yml</c> inventory files.</summary>
    public string Directory { get; set; } = "config/inventory";

    /// <summary>A YAML <c>name: value</c> file of credentials; environment variables win over it. Optional.</summary>
    public string? SecretsFile { get; set; }

    /// <summary>How long the directory must be quiet before a reload; editors write in bursts.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Refuses to start with an inventory directory or secrets file that is not there.</summary>
internal sealed class InventoryOptionsValidator : IValidateOptions<InventoryOptions>
{
    public ValidateOptionsResult Validate(string? name, InventoryOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            failures.Add("Inventory:Directory is required");
        }
        else if (!Directory.Exists(options.Directory))
        {
            failures.Add($"Inventory:Directory '{options.Directory}' does not exist (working directory {Environment.CurrentDirectory})");
        }

        if (!string.IsNullOrWhiteSpace(options.SecretsFile) && !File.Exists(options.SecretsFile))
        {
            failures.Add($"Inventory:SecretsFile '{options.SecretsFile}' does not exist");
        }

        if (options.ReloadDebounce < TimeSpan.Zero || options.ReloadDebounce > TimeSpan.FromMinutes(1))
        {
            failures.Add("Inventory:ReloadDebounce must be between 0 and 1 minute");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
