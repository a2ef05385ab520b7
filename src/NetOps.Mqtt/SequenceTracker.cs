namespace NetOps.Mqtt;

/// <summary>
/// The last applied sequence number per source; the ingest's replay check. Bounded: source names come from
/// payloads (the boot id), so a node that reboots in a loop, or a client inventing boot ids, must not grow it
/// without limit. A subject (kind and id) keeps its <see cref="MaxBootsPerSubject"/> most recent boots; beyond
/// <see cref="MaxSubjects"/> subjects the least recently applied eighth is forgotten. A forgotten source's next
/// message counts as new: the state engine's own (source, seq) check is the second line behind this one.
/// </summary>
internal sealed class SequenceTracker(int maxSubjects = SequenceTracker.DefaultMaxSubjects, int maxBootsPerSubject = SequenceTracker.DefaultMaxBootsPerSubject)
{
    public const int DefaultMaxSubjects = 100_000;
    public const int DefaultMaxBootsPerSubject = 4;

    private readonly Dictionary<string, Subject> _subjects = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _clock;

    public int MaxSubjects { get; } = maxSubjects;

    public int MaxBootsPerSubject { get; } = maxBootsPerSubject;

    /// <summary>Subjects tracked right now.</summary>
    public int SubjectCount
    {
        get
        {
            lock (_gate)
            {
                return _subjects.Count;
            }
        }
    }

    /// <summary>Boots tracked right now for the subject of <paramref name="source"/>.</summary>
    public int BootCount(string source)
    {
        var (subject, _) = Split(source);
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out var entry) ? entry.Boots.Count : 0;
        }
    }

    public bool IsReplay(string source, long sequence)
    {
        var (subject, boot) = Split(source);
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out var entry) && entry.Find(boot) is var i and >= 0 && sequence <= entry.Boots[i].Last;
        }
    }

    public void Applied(string source, long sequence)
    {
        var (subject, boot) = Split(source);
        lock (_gate)
        {
            if (!_subjects.TryGetValue(subject, out var entry))
            {
                if (_subjects.Count >= MaxSubjects)
                {
                    EvictOldest();
                }

                entry = new Subject();
                _subjects[subject] = entry;
            }

            entry.Touched = ++_clock;
            var i = entry.Find(boot);
            if (i >= 0)
            {
                var current = entry.Boots[i];
                entry.Boots.RemoveAt(i);
                entry.Boots.Add((boot, Math.Max(current.Last, sequence)));
                return;
            }

            if (entry.Boots.Count >= MaxBootsPerSubject)
            {
                entry.Boots.RemoveAt(0);
            }

            entry.Boots.Add((boot, sequence));
        }
    }

    // Sources are "mqtt:{kind}:{id}" or "mqtt:{kind}:{id}@{boot}"; ids and boots never contain '@'.
    private static (string Subject, string Boot) Split(string source)
    {
        var at = source.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (source, string.Empty) : (source[..at], source[(at + 1)..]);
    }

    private void EvictOldest()
    {
        var keep = MaxSubjects - Math.Max(1, MaxSubjects / 8);
        foreach (var (key, _) in _subjects.OrderBy(p => p.Value.Touched).Take(_subjects.Count - keep).ToList())
        {
            _subjects.Remove(key);
        }
    }

    private sealed class Subject
    {
        // Oldest boot first; a handful at most.
        public List<(string Boot, long Last)> Boots { get; } = new(2);

        public long Touched { get; set; }

        public int Find(string boot)
        {
            for (var i = Boots.Count - 1; i >= 0; i--)
            {
                if (string.Equals(Boots[i].Boot, boot, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
