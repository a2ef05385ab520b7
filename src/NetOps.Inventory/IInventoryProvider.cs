using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>The inventory in force, replaced as a whole when a good edit is applied.</summary>
public interface IInventoryProvider
{
    /// <summary>The last good inventory. Available once the host has started (the boot load is fatal when bad).</summary>
    FleetInventory Current { get; }

    /// <summary>Raised after a new inventory is in force (also once for the boot load).</summary>
    event EventHandler<InventoryChangedEventArgs>? Changed;

    /// <summary>Raised when an edit was refused; <see cref="Current"/> stays as it was.</summary>
    event EventHandler<InventoryRefusedEventArgs>? Refused;

    /// <summary>The errors of the last refused edit, or null once a good edit has been applied since.</summary>
    InventoryError[]? LastRefusal { get; }

    /// <summary>When <see cref="LastRefusal"/> happened.</summary>
    DateTimeOffset? LastRefusalAt { get; }
}

/// <summary>A new inventory came into force.</summary>
public sealed class InventoryChangedEventArgs(FleetInventory previous, FleetInventory current) : EventArgs
{
    public FleetInventory Previous { get; } = previous;
    public FleetInventory Current { get; } = current;
}

/// <summary>An edit was refused; the previous inventory stays in force.</summary>
public sealed class InventoryRefusedEventArgs(IReadOnlyList<InventoryError> errors, DateTimeOffset at) : EventArgs
{
    public IReadOnlyList<InventoryError> Errors { get; } = errors;
    public DateTimeOffset At { get; } = at;
}

/// <summary>An inventory that never changes: for embedding NetOps parts in a program (benchmarks, tests, tools).</summary>
public sealed class FixedInventoryProvider(FleetInventory inventory) : IInventoryProvider
{
    public FleetInventory Current => inventory;

    public InventoryError[]? LastRefusal => null;

    public DateTimeOffset? LastRefusalAt => null;

    public event EventHandler<InventoryChangedEventArgs>? Changed { add { } remove { } }

    public event EventHandler<InventoryRefusedEventArgs>? Refused { add { } remove { } }
}
