using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Storage.Points;

namespace NetOps.Storage.Tests;

/// <summary>Observations of a small fleet over an hour, as the worker and the MQTT ingest produce them.</summary>
public static class SampleData
{
    public static readonly DateTimeOffset Start = new(2025, 8, 15, 10, 0, 0, TimeSpan.Zero);

    public static FleetInventory Inventory { get; } = new(
        [], [], [],
        [new MobileNode("mogli-1", "MOGLI 1", null, TimeSpan.FromSeconds(30),
            [new Assignment("kerwe-2025", "main-stage", Start.AddHours(-1), Start.AddDays(1))]),
         new MobileNode("mogli-2", "MOGLI 2", null, TimeSpan.FromSeconds(30),
            [new Assignment("kerwe-2025", "east-gate", Start.AddHours(-1), Start.AddDays(1))])],
        [],
        [new Event("kerwe-2025", "Kerwe", Start.AddHours(-1), Start.AddDays(1), [new Zone("main-stage", "Main stage"), new Zone("east-gate", "East gate")])]);

    /// <summary>One poll a minute of two devices with two ports, one telemetry report a minute of two nodes, presence changes.</summary>
    public static IReadOnlyList<Observation> Hour(DateTimeOffset? start = null)
    {
        var from = start ?? Start;
        var list = new List<Observation>();
        long seq = 0;
        for (var minute = 0; minute < 60; minute++)
        {
            var at = from.AddMinutes(minute).AddMilliseconds(137);
            foreach (var device in new[] { "core-rathaus", "acc-nord" })
            {
                var reachable = !(device == "acc-nord" && minute is >= 20 and < 25);
                list.Add(new DevicePollObservation("worker#1", ++seq, at, device, reachable,
                    reachable ? TimeSpan.FromSeconds(1000 + minute * 60) : null, reachable ? null : "timeout",
                    reachable
                        ? [new PortSample("ge-0/0/1", 1, true, true, (ulong)(minute * 75_000_000), (ulong)(minute * 10_000_000), 1000),
                           new PortSample("ge-0/0/2", 2, true, minute % 10 != 0, (ulong)(minute * 1_000), ulong.MaxValue - 5, 1000)]
                        : [],
                    TimeSpan.FromMinutes(3)));
            }

            foreach (var node in new[] { "mogli-1", "mogli-2" })
            {
                list.Add(new NodeTelemetryObservation("mqtt#1", ++seq, at.AddSeconds(5), node,
                    new NodeTelemetry(100 - minute * 0.5, minute < 30 ? PowerSource.Mains : PowerSource.Battery, TimeSpan.FromHours(5),
                        31.5, UplinkKind.Lte, node == "mogli-2" && minute == 7 ? double.NegativeInfinity : -71, new GeoPosition(49.44, 7.77)),
                    TimeSpan.FromMinutes(2)));
            }

            if (minute % 15 == 0)
            {
                list.Add(new NodePresenceObservation("mqtt#1", ++seq, at.AddSeconds(7), "mogli-2", minute != 15, TimeSpan.FromMinutes(2)));
            }
        }

        return list;
    }

    public static List<Point> HourPoints(DateTimeOffset? start = null) =>
        new ObservationPoints(() => Inventory).Map(Hour(start));

    /// <summary><paramref name="count"/> points of one series of <paramref name="measurement"/>, field v, a second apart from <see cref="Start"/>.</summary>
    public static List<Point> EverySecond(string measurement, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Point(measurement, [new Tag("id", "x")], [Field.Float("v", i)],
            Point.ToNanoseconds(Start.AddSeconds(i))))];
}
