using System.Text;

namespace NetOps.Core.Inventory;

/// <summary>Splits devices among collectors by a stable hash of their id, the same in every process and release.</summary>
public static class Sharding
{
    /// <summary>The shard (0..count-1) a device belongs to.</summary>
    public static int ShardOf(string deviceId, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // FNV-1a over UTF-8: string.GetHashCode differs per process, which would move devices between collectors.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(deviceId))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }
}
