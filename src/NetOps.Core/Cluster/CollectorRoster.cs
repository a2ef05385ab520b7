namespace NetOps.Core.Cluster;

/// <summary>A live collector and the devices the split gives it (what it polls once it has seen the same members).</summary>
public sealed record CollectorShare(ClusterMember Member, IReadOnlyList<string> Devices);

/// <summary>The collectors of a membership view with the devices each one polls, as pages and the API show them.</summary>
public static class CollectorRoster
{
    /// <summary>Each live member with its devices (ordinal order); no members, no shares.</summary>
    public static IReadOnlyList<CollectorShare> Of(MembershipView view, IEnumerable<string> deviceIds)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(deviceIds);
        if (view.Members.Count == 0)
        {
            return [];
        }

        var names = view.Members.Select(m => m.Name).ToList();
        var devices = view.Members.ToDictionary(m => m.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var id in deviceIds.Order(StringComparer.Ordinal))
        {
            devices[Rendezvous.OwnerOf(id, names)].Add(id);
        }

        return [.. view.Members.Select(m => new CollectorShare(m, devices[m.Name]))];
    }
}
