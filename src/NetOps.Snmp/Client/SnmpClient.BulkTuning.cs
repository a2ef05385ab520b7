using Microsoft.Extensions.Logging;

namespace NetOps.Snmp;

/// <summary>Get-bulk pages at the repetitions each device copes with, lowered when it shows it needs fewer.</summary>
public sealed partial class SnmpClient
{
    /// <summary>
    /// One get-bulk page after <paramref name="starts"/> at the repetitions that work for the device. A timeout (once per
    /// walk: large answers get lost or take a slow agent too long), tooBig, or an empty answer (some agents' way of
    /// saying tooBig) lowers the repetitions and returns a null response: ask again. At one repetition they are errors.
    /// </summary>
    private async Task<(SnmpPdu? Response, int Repetitions)> BulkPageAsync(SnmpTarget target, DeviceState device,
        IReadOnlyList<Oid> starts, BulkRetry retry, CancellationToken cancellationToken)
    {
        var repetitions = device.Repetitions(target.MaxRepetitions);
        var request = new SnmpPdu(SnmpPduType.GetBulkRequest, 0, ToRequestBindings(starts)) { MaxRepetitions = repetitions };
        SnmpPdu response;
        try
        {
            response = await RequestAsync(target, request, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpTimeoutException) when (repetitions > 1 && !retry.ShrankOnTimeout)
        {
            retry.ShrankOnTimeout = true;
            Shrink(device, target, repetitions, Math.Max(1, repetitions / 5), "timeout");
            return (null, repetitions);
        }

        if (response.ErrorStatus == SnmpErrorStatus.TooBig ||
            (response.ErrorStatus == SnmpErrorStatus.NoError && response.VarBinds.Count == 0))
        {
            if (repetitions == 1)
            {
                throw response.ErrorStatus == SnmpErrorStatus.TooBig
                    ? new SnmpErrorException(SnmpErrorStatus.TooBig, response.ErrorIndex, starts[0])
                    : new SnmpException($"agent answered get-bulk after {starts[0].ToDottedString()} with no bindings");
            }

            Shrink(device, target, repetitions, repetitions / 2, response.ErrorStatus == SnmpErrorStatus.TooBig ? "tooBig" : "an empty answer");
            return (null, repetitions);
        }

        ThrowOnError(response);
        return (response, repetitions);
    }

    /// <summary>What one walk or table read has tried already.</summary>
    private sealed class BulkRetry
    {
        public bool ShrankOnTimeout { get; set; }
    }

    private void Shrink(DeviceState device, SnmpTarget target, int from, int to, string reason)
    {
        device.LimitRepetitions(to);
        // Tuning is routine: a fleet of quirky switches would fill the log at every poll. That a device needs it at
        // all is worth one line, the first time; the tracking rides on the device's state, so it is bounded with it.
        var level = device.FirstLowering() ? LogLevel.Information : LogLevel.Debug;
        _logger.Log(level, "Get-bulk to {Device} lowered from {From} to {To} repetitions after {Reason}",
            target.EndPoint, from, to, reason);
    }
}
