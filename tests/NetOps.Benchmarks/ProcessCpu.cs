using System.Globalization;
using System.Runtime.InteropServices;

namespace NetOps.Benchmarks;

/// <summary>
/// CPU time of processes the bench did not start itself (or cannot ask through <see cref="System.Diagnostics.Process"/>):
/// /proc/PID/stat's utime and stime, and for a process tree also cutime and cstime, which hold the CPU of children that
/// already exited and were reaped — PostgreSQL backends come and go with connections.
/// </summary>
internal static class ProcessCpu
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux

    private static readonly double TicksPerSecond = ClockTicks() is > 0 and var t ? t : 100;

    /// <summary>The CPU time the process has used so far, or null once it is gone.</summary>
    public static TimeSpan? Of(int pid) => Read(pid) is { } s ? TimeSpan.FromSeconds((s.User + s.System) / TicksPerSecond) : null;

    /// <summary>The CPU time of a process, its descendants alive now and the children they reaped.</summary>
    public static TimeSpan OfTree(int rootPid)
    {
        var all = AllProcesses().ToList();
        var children = all.ToLookup(p => p.Parent, p => p.Pid);
        var ticks = 0L;
        var pending = new Stack<int>([rootPid]);
        while (pending.TryPop(out var pid))
        {
            if (Read(pid) is { } s)
            {
                ticks += s.User + s.System + s.ChildrenUser + s.ChildrenSystem;
            }

            foreach (var child in children[pid])
            {
                pending.Push(child);
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The CPU time every process on the machine has used since boot (/proc/stat: all but idle and iowait).</summary>
    public static TimeSpan Machine()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        var busy = fields[..8].Sum() - fields[3] - fields[4];
        return TimeSpan.FromSeconds(busy / TicksPerSecond);
    }

    /// <summary>The PostgreSQL postmaster listening on <paramref name="port"/>: its command line names the port, a backend's does not.</summary>
    public static int? Postmaster(int port)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        foreach (var (pid, _) in AllProcesses())
        {
            string[] arguments;
            try
            {
                arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            var at = Array.IndexOf(arguments, "-p");
            if (arguments[0].EndsWith("/postgres", StringComparison.Ordinal) && at >= 0 && at + 1 < arguments.Length && arguments[at + 1] == portText)
            {
                return pid;
            }
        }

        return null;
    }

    private static IEnumerable<(int Pid, int Parent)> AllProcesses()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } s)
            {
                yield return (pid, s.Parent);
            }
        }
    }

    private static (int Parent, long User, long System, long ChildrenUser, long ChildrenSystem)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[13], CultureInfo.InvariantCulture), long.Parse(fields[14], CultureInfo.InvariantCulture));
    }

    private static long ClockTicks()
    {
        try
        {
            return SysConf(ScClockTicks);
        }
        catch (DllNotFoundException)
        {
            return 0;
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);
}
