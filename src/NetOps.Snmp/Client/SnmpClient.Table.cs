

namespace NetOps.Snmp;

/// <summary>Table reads: columns walked one by one, or side by side in one get-bulk per page.</summary>
public sealed partial class SnmpClient
{
    /// <summary>
    /// Reads a table by walking its columns under <paramref name="entry"/> (the table's entry OID, ifEntry
    /// 1.3.6.1.2.1.2.2.1): all of them, or only <paramref name="columns"/>. Rows are keyed by index suffix.
    /// Several columns are read side by side with get-bulk (v2c and later), one request for a page of rows of all of them.
    /// </summary>
    public Task<SnmpTable> GetTableAsync(SnmpTarget target, Oid entry, IReadOnlyList<uint>? columns = null,
        CancellationToken cancellationToken = default) =>
        HandOverAsync(ReadTableAsync(target, entry, columns, cancellationToken));

    private async Task<SnmpTable> ReadTableAsync(SnmpTarget target, Oid entry, IReadOnlyList<uint>? columns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var rows = new SortedDictionary<Oid, Dictionary<uint, SnmpValue>>();
        if (columns is { Count: > 1 } && target.Version != SnmpVersion.V1)
        {
            await ReadColumnsSideBySideAsync(target, entry, [.. columns.Distinct()], rows, cancellationToken).ConfigureAwait(false);
            return new SnmpTable(entry, rows.Select(r => new SnmpTableRow(r.Key, r.Value)).ToArray());
        }

        var roots = columns is null ? [entry] : columns.Select(c => entry.Append(c)).ToArray();
        foreach (var root in roots)
        {
            await foreach (var binding in WalkPagesAsync(target, root, useGetBulk: true, cancellationToken).ConfigureAwait(false))
            {
                if (binding.Oid.Length <= entry.Length + 1 || !binding.Oid.StartsWith(entry))
                {
                    continue; // a scalar the walk's GET fallback found, not a cell
                }

                AddCell(rows, entry, binding);
            }
        }

        return new SnmpTable(entry, rows.Select(r => new SnmpTableRow(r.Key, r.Value)).ToArray());
    }

    /// <summary>
    /// One get-bulk per page for all columns still going, as snmptable does: the answer holds rows in order, one
    /// binding per column each, so four columns of 59 rows take 3 requests instead of 12 (when the agent's maximum
    /// message size lets an answer hold 100 bindings; fewer fit, more requests, still fewer). Repetitions adapt to the
    /// device as in a walk (tooBig, empty and truncated answers, a timeout), and a column that does not increase
    /// raises an <see cref="SnmpException"/> instead of looping.
    /// </summary>
    private async Task ReadColumnsSideBySideAsync(SnmpTarget target, Oid entry, uint[] columns,
        SortedDictionary<Oid, Dictionary<uint, SnmpValue>> rows, CancellationToken cancellationToken)
    {
        var device = Device(target.EndPoint);
        var roots = columns.Select(c => entry.Append(c)).ToArray();
        var cursors = (Oid[])roots.Clone();
        var active = Enumerable.Range(0, roots.Length).ToList();
        var retry = new BulkRetry();
        while (active.Count > 0)
        {
            var (response, repetitions) = await BulkPageAsync(target, device, [.. active.Select(c => cursors[c])], retry, cancellationToken)
                .ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            var page = response.VarBinds;
            var ended = new bool[active.Count];
            for (var k = 0; k < page.Count; k++)
            {
                var slot = k % active.Count;
                var column = active[slot];
                var binding = page[k];
                if (ended[slot])
                {
                    continue;
                }

                if (binding.Value.Type == SnmpType.EndOfMibView || !binding.Oid.IsChildOf(roots[column]))
                {
                    ended[slot] = true; // past the column: the rest of its slots hold the next column's cells
                    continue;
                }

                if (binding.Oid <= cursors[column])
                {
                    throw new SnmpException(
                        $"OID not increasing: {cursors[column].ToDottedString()} >= {binding.Oid.ToDottedString()} from {target.EndPoint}");
                }

                cursors[column] = binding.Oid;
                AddCell(rows, entry, binding);
            }

            if (page.Count < active.Count * repetitions && !ended.Any(e => e))
            {
                // The agent silently caps what it answers (some switches skip rows above a limit): ask for no more.
                Shrink(device, target, repetitions, Math.Max(1, page.Count / active.Count), "a truncated answer");
            }

            active = [.. active.Where((_, slot) => !ended[slot])];
        }
    }

    private static void AddCell(SortedDictionary<Oid, Dictionary<uint, SnmpValue>> rows, Oid entry, VarBind binding)
    {
        var column = binding.Oid[entry.Length];
        var index = binding.Oid.Slice(entry.Length + 1);
        if (!rows.TryGetValue(index, out var cells))
        {
            cells = [];
            rows.Add(index, cells);
        }

        cells[column] = binding.Value;
    }
}
