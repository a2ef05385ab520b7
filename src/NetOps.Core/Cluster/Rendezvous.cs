using System.Text;

namespace NetOps.Core.Cluster;

/// <summary>
/// Rendezvous (highest random weight) hashing: a device belongs to the member whose hash with it scores highest. Every
/// process that sees the same members computes the same owner, and a member joining or leaving moves only the devices
/// it gains or loses (about 1/N of them), never the rest.
/// </summary>
public static class Rendezvous
{
    /// <summary>The member (of a non-empty list) that owns the key.</summary>
    public static string OwnerOf(string key, IReadOnlyList<string> members)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("there is no member to own anything", nameof(members));
        }

        var keyHash = Fnv1a(key);
        string best = members[0];
        var bestScore = Score(Fnv1a(best), keyHash);
        for (var i = 1; i < members.Count; i++)
        {
            var score = Score(Fnv1a(members[i]), keyHash);
            // Equal scores (practically never) go to the ordinally smaller name, so the order of the list does not matter.
            if (score > bestScore || (score == bestScore && string.CompareOrdinal(members[i], best) < 0))
            {
                (best, bestScore) = (members[i], score);
            }
        }

        return best;
    }

    // FNV-1a over UTF-8: stable across processes and releases (string.GetHashCode is randomised per process).
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037ul;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211ul;
        }

        return hash;
    }

    // SplitMix64's finaliser over the pair: FNV alone correlates for names that differ in their last characters
    // (collector-1, collector-2), which would give one member most devices.
    private static ulong Score(ulong member, ulong key)
    {
        var z = member ^ (key * 0x9E3779B97F4A7C15ul);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
        return z ^ (z >> 31);
    }
}
