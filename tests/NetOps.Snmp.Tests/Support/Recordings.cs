using System.IO.Compression;

namespace NetOps.Snmp.Tests.Support;

/// <summary>snmpsim's example recordings of real devices, as Debian ships them (gzipped), unpacked once per run.</summary>
internal static class Recordings
{
    private const string Examples = "/usr/share/doc/snmpsim/examples/data";
    private static readonly Lazy<string> Directory = new(() => System.IO.Directory.CreateTempSubdirectory("netops-snmprec-").FullName);

    /// <summary>A Linux host with net-snmp: strings, hex strings, IpAddresses, Opaque floats, Counter64.</summary>
    public static string LinuxFullWalk => Unpack("recorded/linux-full-walk.snmprec.gz");

    /// <summary>A Cisco 3750 with 16 ports; large (51,000 objects).</summary>
    public static string Cisco16Switch => Unpack("cisco_16_switch.snmprec.gz");

    private static string Unpack(string relative)
    {
        var target = Path.Combine(Directory.Value, Path.GetFileNameWithoutExtension(relative));
        lock (Directory)
        {
            if (!File.Exists(target))
            {
                using var source = new GZipStream(File.OpenRead(Path.Combine(Examples, relative)), CompressionMode.Decompress);
                using var destination = File.Create(target + ".part");
                source.CopyTo(destination);
                destination.Close();
                File.Move(target + ".part", target);
            }
        }

        return target;
    }
}
