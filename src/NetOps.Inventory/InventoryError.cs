using System.Globalization;
using System.Text;
using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>One problem found in the inventory, located by file, line, column and field path.</summary>
/// <remarks>Messages name ids, ports and credential names, never a secret value.</remarks>
public sealed record InventoryError(string File, int Line, int Column, string Field, string Message)
{
    /// <summary>The compiler-style form <c>file:line: field: message</c> that editors and CI logs link.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(File);
        if (Line > 0)
        {
            builder.Append(':').Append(Line.ToString(CultureInfo.InvariantCulture));
        }

        builder.Append(": ");
        if (Field.Length > 0)
        {
            builder.Append(Field).Append(": ");
        }

        return builder.Append(Message).ToString();
    }
}

/// <summary>The outcome of loading an inventory: either a validated inventory or every error found.</summary>
public sealed class InventoryLoadResult
{
    private InventoryLoadResult(FleetInventory? inventory, IReadOnlyList<InventoryError> errors)
    {
        Inventory = inventory;
        Errors = errors;
    }

    /// <summary>The validated inventory; null when there are errors.</summary>
    public FleetInventory? Inventory { get; }

    /// <summary>Every error found, in file and line order; empty on success.</summary>
    public IReadOnlyList<InventoryError> Errors { get; }

    public bool Succeeded => Inventory is not null;

    public static InventoryLoadResult Success(FleetInventory inventory) => new(inventory, []);

    public static InventoryLoadResult Failure(IReadOnlyList<InventoryError> errors) =>
        errors.Count == 0
            ? throw new ArgumentException("a failed load has at least one error", nameof(errors))
            : new InventoryLoadResult(null, errors);

    /// <summary>The inventory, or an <see cref="InventoryException"/> listing every error.</summary>
    public FleetInventory GetOrThrow() => Inventory ?? throw new InventoryException(Errors);
}

/// <summary>Thrown when an inventory cannot be used at all (at boot); the message lists every error.</summary>
public sealed class InventoryException : Exception
{
    public InventoryException(IReadOnlyList<InventoryError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public InventoryException()
        : this([])
    {
    }

    public InventoryException(string message)
        : base(message)
    {
        Errors = [];
    }

    public InventoryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<InventoryError> Errors { get; }

    private static string Describe(IReadOnlyList<InventoryError> errors)
    {
        var builder = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"inventory is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):");
        foreach (var error in errors)
        {
            builder.Append('\n').Append(error);
        }

        return builder.ToString();
    }
}
