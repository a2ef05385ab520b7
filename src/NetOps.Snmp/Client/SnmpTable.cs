namespace NetOps.Snmp;

/// <summary>A conceptual table read column by column: rows keyed by their index (the OID suffix after the column).</summary>
public sealed class SnmpTable(Oid entry, IReadOnlyList<SnmpTableRow> rows)
{
    /// <summary>The table's entry OID (ifEntry, 1.3.6.1.2.1.2.2.1); a cell is entry.column.index.</summary>
    public Oid Entry { get; } = entry;

    /// <summary>Rows in index order.</summary>
    public IReadOnlyList<SnmpTableRow> Rows { get; } = rows;
}

/// <summary>One row of an <see cref="SnmpTable"/>: its index and the cells that the agent returned.</summary>
public sealed class SnmpTableRow(Oid index, IReadOnlyDictionary<uint, SnmpValue> cells)
{
    /// <summary>The row's index: for ifTable the ifIndex, for multi-part indexes every part in order.</summary>
    public Oid Index { get; } = index;

    /// <summary>Cells by column number; a column the agent has no value for in this row is absent.</summary>
    public IReadOnlyDictionary<uint, SnmpValue> Cells { get; } = cells;

    public bool TryGet(uint column, out SnmpValue value) => Cells.TryGetValue(column, out value);

    public SnmpValue this[uint column] => Cells[column];
}
