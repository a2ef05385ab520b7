using System.Globalization;
using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>Defaults (<c>fleet_defaults:</c> and a file's <c>defaults:</c>): SNMP settings and report interval a device or node may leave out.</summary>
internal sealed partial class InventoryParser
{
    private static readonly string[] SnmpKeys = ["version", "port", "credential"];

    private sealed record Defaults(
        Setting<SnmpVersionSetting> Version, Setting<int> Port, Setting<string> Credential,
        Setting<string> Medium, Setting<TimeSpan> ReportInterval)
    {
        public static Defaults None { get; } = new(default, default, default, default, default);

        /// <summary>Defaults that may sit in a file that could not be parsed: a field left to them is neither usable nor reported missing.</summary>
        public static Defaults Unknown { get; } = new(
            Setting<SnmpVersionSetting>.Bad, Setting<int>.Bad, Setting<string>.Bad, Setting<string>.Bad, Setting<TimeSpan>.Bad);

        /// <summary>These defaults where given, the fallback's elsewhere.</summary>
        public Defaults Over(Defaults fallback) => new(
            Version.Given ? Version : fallback.Version,
            Port.Given ? Port : fallback.Port,
            Credential.Given ? Credential : fallback.Credential,
            Medium.Given ? Medium : fallback.Medium,
            ReportInterval.Given ? ReportInterval : fallback.ReportInterval);
    }

    /// <summary>A value that may come from the file's defaults; Given but not Valid means already reported.</summary>
    private readonly record struct Setting<T>(bool Given, bool Valid, T? Value)
    {
        public static Setting<T> None => default;
        public static Setting<T> Bad => new(true, false, default);
        public static Setting<T> Ok(T value) => new(true, true, value);
    }

    private Defaults ParseDefaults(MapReader? map)
    {
        var snmp = map?.Map("snmp", SnmpKeys);
        return new Defaults(
            ReadVersion(snmp),
            ReadPort(snmp),
            ReadCredential(snmp),
            map?.Scalar("medium") is { } medium ? Setting<string>.Ok(medium.Value) : Setting<string>.None,
            ReadInterval(map));
    }

    private Setting<SnmpVersionSetting> ReadVersion(MapReader? snmp)
    {
        if (snmp?.Scalar("version") is not { } text)
        {
            return Setting<SnmpVersionSetting>.None;
        }

        SnmpVersionSetting? version = text.Value switch
        {
            "v1" or "1" => SnmpVersionSetting.V1,
            "v2c" or "2c" => SnmpVersionSetting.V2c,
            "v3" or "3" => SnmpVersionSetting.V3,
            _ => null,
        };
        if (version is null)
        {
            Report(text.At, $"'{text.Value}' is not an SNMP version (v1, v2c, v3)");
            return Setting<SnmpVersionSetting>.Bad;
        }

        return Setting<SnmpVersionSetting>.Ok(version.Value);
    }

    private Setting<int> ReadPort(MapReader? snmp)
    {
        if (snmp?.Scalar("port") is not { } text)
        {
            return Setting<int>.None;
        }

        if (!int.TryParse(text.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            Report(text.At, $"'{text.Value}' is not a port number (1-65535)");
            return Setting<int>.Bad;
        }

        return Setting<int>.Ok(port);
    }

    private Setting<string> ReadCredential(MapReader? snmp)
    {
        if (snmp?.Scalar("credential") is not { } text)
        {
            return Setting<string>.None;
        }

        if (!Slug.IsValid(text.Value))
        {
            // Not echoed: a value that is not a name may be a pasted secret.
            Report(text.At, "a credential is referenced by name (a slug: " + Slug.Rule + "), never by its value");
            return Setting<string>.Bad;
        }

        if (!credentials.TryResolve(text.Value, out _))
        {
            Report(text.At, $"credential '{text.Value}' is not defined: set {CredentialStore.VariableFor(text.Value)} or add it to the secrets file");
            return Setting<string>.Bad;
        }

        return Setting<string>.Ok(text.Value);
    }

    /// <summary>A v3 device needs its credential to hold a whole USM user (<see cref="Snmp.SnmpV3Credential"/>), not a community.</summary>
    private bool CheckV3Credential(string name, Origin at)
    {
        if (!credentials.TryResolve(name, out var secret) || Snmp.SnmpV3Credential.TryParse(secret.Reveal(), out _, out var error))
        {
            return true; // an undefined credential is already reported where it is named
        }

        Report(at, $"credential '{name}' is not an SNMPv3 credential: {error}");
        return false;
    }

    private Setting<TimeSpan> ReadInterval(MapReader? map)
    {
        if (map?.Scalar("report_interval") is not { } text)
        {
            return Setting<TimeSpan>.None;
        }

        if (!Values.TryParseDuration(text.Value, out var interval) || interval <= TimeSpan.Zero)
        {
            Report(text.At, $"'{text.Value}' is not a positive duration (e.g. 10s, 500ms, 2m)");
            return Setting<TimeSpan>.Bad;
        }

        return Setting<TimeSpan>.Ok(interval);
    }

    private T Pick<T>(Setting<T> own, Setting<T> fallback, MapReader map, string key, ref bool complete)
    {
        var chosen = own.Given ? own : fallback;
        if (!chosen.Given)
        {
            Report(map.Context.At(map.Node, map.Path(key)), "missing required field (set it here or in the file's defaults)");
        }

        if (!chosen.Valid)
        {
            complete = false;
            return default!;
        }

        return chosen.Value!;
    }
}
