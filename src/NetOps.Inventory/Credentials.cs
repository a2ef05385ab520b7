using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>A secret value (community, password, key). Its text is only reachable through <see cref="Reveal"/>.</summary>
public sealed class Secret
{
    private readonly string _value;

    public Secret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The secret text, for the one place that puts it on the wire.</summary>
    public string Reveal() => _value;

    /// <summary>Never the value: a secret that reaches a log line or an error message shows as redacted.</summary>
    public override string ToString() => "***";
}

/// <summary>Resolves a credential name from the inventory to its secret; the inventory holds names only.</summary>
public interface ICredentialStore
{
    /// <summary>Re-reads the backing sources; returns problems found in them (never their contents).</summary>
    IReadOnlyList<InventoryError> Refresh();

    /// <summary>The secret for a credential name, if one is defined.</summary>
    bool TryResolve(string name, [NotNullWhen(true)] out Secret? secret);
}

/// <summary>
/// Credentials from environment variables <c>NETOPS_SECRET_&lt;NAME&gt;</c> (upper case, '-' as '_'),
/// then from an optional secrets file, a YAML map of <c>name: value</c>. The environment wins, so an
/// operator can override a file entry without editing it.
/// </summary>
public sealed class CredentialStore : ICredentialStore
{
    public const string EnvironmentPrefix = "NETOPS_SECRET_";

    private readonly string? _secretsFile;
    private readonly Func<string, string?> _environment;
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, Secret> _fromFile = new Dictionary<string, Secret>(StringComparer.Ordinal);

    /// <param name="secretsFile">The secrets file, or null for environment variables only.</param>
    /// <param name="environment">Reads an environment variable; the process environment when null.</param>
    public CredentialStore(string? secretsFile, Func<string, string?>? environment = null)
    {
        _secretsFile = string.IsNullOrWhiteSpace(secretsFile) ? null : secretsFile;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        Refresh();
    }

    /// <summary>The environment variable that holds a credential.</summary>
    public static string VariableFor(string name) =>
        EnvironmentPrefix + name.ToUpperInvariant().Replace('-', '_');

    public IReadOnlyList<InventoryError> Refresh()
    {
        if (_secretsFile is null)
        {
            return [];
        }

        var errors = new List<InventoryError>();
        var secrets = new Dictionary<string, Secret>(StringComparer.Ordinal);
        try
        {
            using var reader = new StreamReader(_secretsFile);
            if (!Yaml.TryLoad(reader, out var stream, out var syntax))
            {
                // The parser's message can quote the offending text, which may be a secret: keep only the position.
                errors.Add(new InventoryError(_secretsFile, syntax.Line, syntax.Column, "", "the secrets file is not valid YAML"));
            }
            else             if (stream.Documents.Count > 0)
            {
                if (stream.Documents[0].RootNode is not YamlMappingNode map)
                {
                    errors.Add(At(stream.Documents[0].RootNode, "", "the secrets file must be a map of name: value"));
                }
                else
                {
                    foreach (var (keyNode, valueNode) in map.Children)
                    {
                        var key = (keyNode as YamlScalarNode)?.Value ?? "";
                        if (!Slug.IsValid(key))
                        {
                            // The key may be a pasted secret: name its line, never its text.
                            errors.Add(At(keyNode, "", "a credential name must be a slug (lowercase a-z, 0-9, '-')"));
                        }
                        else if (valueNode is not YamlScalarNode { Value: { } value })
                        {
                            errors.Add(At(valueNode, key, "the secret must be a plain string"));
                        }
                        else
                        {
                            secrets[key] = new Secret(value);
                        }
                    }
                }
            }
        }
        catch (IOException e)
        {
            errors.Add(new InventoryError(_secretsFile, 0, 0, "", "cannot read the secrets file: " + e.GetType().Name));
        }
        catch (UnauthorizedAccessException)
        {
            errors.Add(new InventoryError(_secretsFile, 0, 0, "", "cannot read the secrets file: access denied"));
        }

        lock (_gate)
        {
            _fromFile = secrets;
        }

        return errors;
    }

    public bool TryResolve(string name, [NotNullWhen(true)] out Secret? secret)
    {
        if (_environment(VariableFor(name)) is { } fromEnvironment)
        {
            secret = new Secret(fromEnvironment);
            return true;
        }

        lock (_gate)
        {
            return _fromFile.TryGetValue(name, out secret);
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"CredentialStore(env {EnvironmentPrefix}*, file {_secretsFile ?? "none"})");

    private InventoryError At(YamlNode node, string field, string message) =>
        new(_secretsFile!, Yaml.ToInt(node.Start.Line), Yaml.ToInt(node.Start.Column), field, message);
}
