using System.Security.Cryptography;

namespace NetOps.Snmp;

/// <summary>snmpEngineID values for our own engines (agent, trap receiver).</summary>
public static class EngineIds
{
    /// <summary>A configured engine id, or a random one in net-snmp's layout: enterprise 8072, format 0x80, 8 random octets.</summary>
    public static ReadOnlyMemory<byte> ConfiguredOrRandom(IReadOnlyCollection<byte>? configured)
    {
        if (configured is { Count: > 0 })
        {
            return configured.ToArray();
        }

        var id = new byte[13];
        id[0] = 0x80;
        id[1] = 0x00;
        id[2] = 0x1f;
        id[3] = 0x88;
        id[4] = 0x80;
        RandomNumberGenerator.Fill(id.AsSpan(5));
        return id;
    }
}
