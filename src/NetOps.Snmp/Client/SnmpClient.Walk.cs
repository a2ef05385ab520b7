using System.Runtime.CompilerServices;

namespace NetOps.Snmp;

/// <summary>Walks: every object under a root, with get-bulk pages or get-next.</summary>
public sealed partial class SnmpClient
{
    /// <summary>
    /// Every object under <paramref name="root"/>, in order: get-bulk for v2c (max-repetitions adapted per device
    /// on tooBig, empty answers, timeouts and truncated answers, and remembered), get-next for v1. Stops at the
    /// end of the subtree or of the MIB view; an agent that returns a non-increasing OID raises an
    /// <see cref="SnmpException"/> instead of looping. When the subtree is empty, the root itself is tried with
    /// a GET, as snmpwalk does.
    /// </summary>
    public IAsyncEnumerable<VarBind> WalkAsync(SnmpTarget target, Oid root, CancellationToken cancellationToken = default) =>
        WalkAsync(target, root, useGetBulk: true, cancellationToken);

    /// <summary>
    /// A walk as <see cref="WalkAsync(SnmpTarget, Oid, CancellationToken)"/>; with <paramref name="useGetBulk"/>
    /// false it uses get-next also for v2c, as snmpwalk does.
    /// </summary>
    public async IAsyncEnumerable<VarBind> WalkAsync(SnmpTarget target, Oid root, bool useGetBulk,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The loop's body runs on the receive thread between pages (a page's bindings are handed over as they came); what
        // follows the walk runs on the pool.
        await foreach (var binding in WalkPagesAsync(target, root, useGetBulk, cancellationToken).ConfigureAwait(false))
        {
            yield return binding;
        }

        if (UdpReceiveLoop.OnOwnThread)
        {
            await Task.Yield();
        }
    }

    private async IAsyncEnumerable<VarBind> WalkPagesAsync(SnmpTarget target, Oid root, bool useGetBulk,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var device = Device(target.EndPoint);
        var current = root;
        var returned = false;
        var retry = new BulkRetry();
        while (true)
        {
            IReadOnlyList<VarBind> page;
            if (target.Version == SnmpVersion.V1 || !useGetBulk)
            {
                var response = await RequestAsync(target, new SnmpPdu(SnmpPduType.GetNextRequest, 0, [VarBind.Request(current)]),
                    cancellationToken).ConfigureAwait(false);
                if (response.ErrorStatus == SnmpErrorStatus.NoSuchName)
                {
                    break; // v1's end of the MIB view
                }

                ThrowOnError(response);
                page = response.VarBinds;
            }
            else
            {
                var (response, repetitions) = await BulkPageAsync(target, device, [current], retry, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    continue;
                }

                page = response.VarBinds;
                if (page.Count < repetitions && !page[^1].Value.IsException && page[^1].Oid.IsChildOf(root))
                {
                    // The agent silently caps repetitions (some switches skip rows above a limit): ask for no more.
                    Shrink(device, target, repetitions, page.Count, "a truncated answer");
                }
            }

            var finished = false;
            foreach (var binding in page)
            {
                if (binding.Value.Type == SnmpType.EndOfMibView || !binding.Oid.IsChildOf(root))
                {
                    finished = true;
                    break;
                }

                if (binding.Oid <= current)
                {
                    throw new SnmpException(
                        $"OID not increasing: {current.ToDottedString()} >= {binding.Oid.ToDottedString()} from {target.EndPoint}");
                }

                current = binding.Oid;
                returned = true;
                yield return binding;
            }

            if (finished || page.Count == 0)
            {
                break;
            }
        }

        if (!returned && root.Length > 0)
        {
            var response = await RequestAsync(target, new SnmpPdu(SnmpPduType.GetRequest, 0, [VarBind.Request(root)]),
                cancellationToken).ConfigureAwait(false);
            if (response.ErrorStatus == SnmpErrorStatus.NoError && response.VarBinds.Count == 1 && !response.VarBinds[0].Value.IsException)
            {
                yield return response.VarBinds[0];
            }
        }
    }
}
