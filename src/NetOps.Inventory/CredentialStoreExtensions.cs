using Microsoft.Extensions.DependencyInjection;
namespace NetOps.Inventory;

/// <summary>Resolving a credential where the host cannot start without it.</summary>
public static class CredentialStoreExtensions
{
    /// <summary>The secret's text; throws naming the credential (never a value) and where to define it.</summary>
    /// <summary>
    /// The one way a NetOps process turns a credential name from configuration ("Mqtt:Credential",
    /// "Storage:Influx:Credential") into its value: the container's credential store, which fails naming the credential.
    /// </summary>
    public static string ResolveCredential(IServiceProvider services, string name) =>
        services.GetRequiredService<ICredentialStore>().Require(name);

    public static string Require(this ICredentialStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.TryResolve(name, out var secret)
            ? secret.Reveal()
            : throw new InvalidOperationException(
                $"credential '{name}' is not defined: set {CredentialStore.VariableFor(name)} or add it to the secrets file");
    }
}
