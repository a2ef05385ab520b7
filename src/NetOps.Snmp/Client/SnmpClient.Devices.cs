using System.Net;

namespace NetOps.Snmp;

/// <summary>What the client keeps per device: its share of concurrency, its get-bulk limit, its SNMPv3 engine.</summary>
public sealed partial class SnmpClient
{
    private DeviceState Device(IPEndPoint endPoint) =>
        _devices.GetOrAdd(Normalize(endPoint), static (_, limit) => new DeviceState(limit), _options.MaxInFlightPerDevice);

    /// <summary>What the client learned about one device, and its share of concurrency.</summary>
    private sealed class DeviceState(int maxInFlight)
    {
        private int _repetitionLimit = int.MaxValue;
        private int _lowered;

        public SemaphoreSlim Gate { get; } = new(maxInFlight, maxInFlight);

        /// <summary>The device's SNMPv3 engine as last learned.</summary>
        public UsmEngineState Engine { get; } = new();

        /// <summary>True only for the first call: whether this lowering of the device's repetitions is its first.</summary>
        public bool FirstLowering() => Interlocked.Exchange(ref _lowered, 1) == 0;

        public int Repetitions(int requested) => Math.Max(1, Math.Min(requested, Volatile.Read(ref _repetitionLimit)));

        public void LimitRepetitions(int limit)
        {
            limit = Math.Max(1, limit);
            int seen;
            do
            {
                seen = Volatile.Read(ref _repetitionLimit);
                if (seen <= limit)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _repetitionLimit, limit, seen) != seen);
        }
    }
}
