using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Storage.Points;

namespace NetOps.Storage.Influx;

/// <summary>
/// Sets up InfluxDB 1.x idempotently: the database, a default retention policy for raw points, a long one for
/// 5-minute rollups, and the continuous queries that fill it. Safe to run at every start.
/// </summary>
public sealed class InfluxV1Setup(InfluxV1Client client, InfluxOptions options, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The continuous queries: name and SELECT ... INTO ... (rollups keep the field names; means become floats).</summary>
    public IReadOnlyList<(string Name, string Select)> ContinuousQueries()
    {
        var db = InfluxQl.Identifier(options.Database);
        var raw = db + "." + InfluxQl.Identifier(options.RetentionPolicy);
        var rollup = db + "." + InfluxQl.Identifier(options.RollupRetentionPolicy);
        string Cq(string measurement, string fields) =>
            $"SELECT {fields} INTO {rollup}.{InfluxQl.Identifier(measurement)} FROM {raw}.{InfluxQl.Identifier(measurement)} GROUP BY time(5m), *";
        return
        [
            ("cq_device_5m", Cq(Schema.Device, $"mean(\"{Schema.Fields.Reachable}\") AS \"{Schema.Fields.Reachable}\", max(\"{Schema.Fields.UptimeSeconds}\") AS \"{Schema.Fields.UptimeSeconds}\"")),
            ("cq_port_5m", Cq(Schema.Port,
                $"max(\"{Schema.Fields.InOctets}\") AS \"{Schema.Fields.InOctets}\", max(\"{Schema.Fields.OutOctets}\") AS \"{Schema.Fields.OutOctets}\", mean(\"{Schema.Fields.OperUp}\") AS \"{Schema.Fields.OperUp}\", " +
                $"mean(\"{Schema.Fields.AdminUp}\") AS \"{Schema.Fields.AdminUp}\", last(\"{Schema.Fields.SpeedBps}\") AS \"{Schema.Fields.SpeedBps}\", " +
                $"max(\"{Schema.Fields.InErrors}\") AS \"{Schema.Fields.InErrors}\", max(\"{Schema.Fields.OutErrors}\") AS \"{Schema.Fields.OutErrors}\", " +
                $"max(\"{Schema.Fields.InDiscards}\") AS \"{Schema.Fields.InDiscards}\", max(\"{Schema.Fields.OutDiscards}\") AS \"{Schema.Fields.OutDiscards}\", " +
                $"mean(\"{Schema.Fields.RxDbm}\") AS \"{Schema.Fields.RxDbm}\", min(\"{Schema.Fields.RxDbm}\") AS \"rx_dbm_min\"")),
            ("cq_node_5m", Cq(Schema.Node,
                $"mean(\"{Schema.Fields.BatteryPercent}\") AS \"{Schema.Fields.BatteryPercent}\", min(\"{Schema.Fields.BatteryPercent}\") AS \"battery_pct_min\", " +
                $"mean(\"{Schema.Fields.OnBattery}\") AS \"{Schema.Fields.OnBattery}\", min(\"{Schema.Fields.RuntimeLeftSeconds}\") AS \"{Schema.Fields.RuntimeLeftSeconds}\", " +
                $"max(\"{Schema.Fields.EnclosureTemperatureC}\") AS \"{Schema.Fields.EnclosureTemperatureC}\", mean(\"{Schema.Fields.LteSignalDbm}\") AS \"{Schema.Fields.LteSignalDbm}\"")),
            ("cq_node_presence_5m", Cq(Schema.NodePresence, $"mean(\"{Schema.Fields.Online}\") AS \"{Schema.Fields.Online}\"")),
        ];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var db = InfluxQl.Identifier(options.Database);
        await Exec($"CREATE DATABASE {db}", cancellationToken).ConfigureAwait(false);
        var existing = await RetentionPoliciesAsync(cancellationToken).ConfigureAwait(false);
        await EnsurePolicy(options.RetentionPolicy, options.RawRetention, isDefault: true, existing, cancellationToken).ConfigureAwait(false);
        await EnsurePolicy(options.RollupRetentionPolicy, options.RollupRetention, isDefault: false, existing, cancellationToken).ConfigureAwait(false);

        var cqs = await ContinuousQueryNamesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (name, select) in ContinuousQueries())
        {
            if (cqs.Contains(name))
            {
                // Definitions change between releases; dropping and creating again is cheap and leaves no data behind.
                await Exec($"DROP CONTINUOUS QUERY {InfluxQl.Identifier(name)} ON {db}", cancellationToken).ConfigureAwait(false);
            }

            await Exec($"CREATE CONTINUOUS QUERY {InfluxQl.Identifier(name)} ON {db} BEGIN {select} END", cancellationToken).ConfigureAwait(false);
        }

        _logger.LogInformation("InfluxDB database {Database} set up: retention {Raw} for raw points, {Rollup} for 5-minute rollups",
            options.Database, options.RawRetention, options.RollupRetention);
    }

    private async Task EnsurePolicy(string name, TimeSpan duration, bool isDefault, HashSet<string> existing, CancellationToken cancellationToken)
    {
        var verb = existing.Contains(name) ? "ALTER" : "CREATE";
        var hours = Math.Max(1, (long)Math.Ceiling(duration.TotalHours)).ToString(CultureInfo.InvariantCulture);
        var replication = verb == "CREATE" ? " REPLICATION 1" : "";
        await Exec($"{verb} RETENTION POLICY {InfluxQl.Identifier(name)} ON {InfluxQl.Identifier(options.Database)} DURATION {hours}h{replication}{(isDefault ? " DEFAULT" : "")}",
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<HashSet<string>> RetentionPoliciesAsync(CancellationToken cancellationToken)
    {
        using var json = await client.QueryAsync($"SHOW RETENTION POLICIES ON {InfluxQl.Identifier(options.Database)}", cancellationToken).ConfigureAwait(false);
        return FirstColumn(json);
    }

    private async Task<HashSet<string>> ContinuousQueryNamesAsync(CancellationToken cancellationToken)
    {
        using var json = await client.QueryAsync("SHOW CONTINUOUS QUERIES", cancellationToken).ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var series in Items(json.RootElement.GetProperty("results")[0], "series"))
        {
            if (series.GetProperty("name").GetString() == options.Database)
            {
                foreach (var row in Items(series, "values"))
                {
                    names.Add(row[0].GetString()!);
                }
            }
        }

        return names;
    }

    private static HashSet<string> FirstColumn(JsonDocument json)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var series in Items(json.RootElement.GetProperty("results")[0], "series"))
        {
            foreach (var row in Items(series, "values"))
            {
                names.Add(row[0].GetString()!);
            }
        }

        return names;
    }

    private static IEnumerable<JsonElement> Items(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    private async Task Exec(string statement, CancellationToken cancellationToken)
    {
        using var _ = await client.QueryAsync(statement, cancellationToken).ConfigureAwait(false);
    }
}
