namespace NetOps.Inventory;

/// <summary>Resolving a credential where the host cannot start without it.</summary>
public static class CredentialStoreExtensions
{
    /// <summary>The secret's text; throws naming the credential (never a value) and where to define it.</summary>
    public static string Require(this ICredentialStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.TryResolve(name, out var secret)
            ? secret.Reveal()
            : throw new InvalidOperationException(
                $"credential '{name}' is not defined: set {CredentialStore.VariableFor(name)} or add it to the secrets file");
    }
}
