namespace NetOps.Inventory;

/// <summary>Second pass over the merged drafts of every file: duplicate ids and references between files.</summary>
internal sealed partial class InventoryParser
{
    private void CrossCheck()
    {
        var sites = Unique(_sites, "site");
        var devices = Unique(_devices, "device");
        Unique(_links, "link");
        var nodes = Unique(_nodes, "node");
        var endpoints = Unique(_endpoints, "endpoint");
        var events = Unique(_events, "event");
        CheckPlacements(nodes, endpoints);

        foreach (var device in _devices)
        {
            if (device.Site is { } site && !sites.ContainsKey(site.Value))
            {
                ReportUnresolved(site.At, $"unknown site '{site.Value}'");
            }

            if (device.Node is { } node && !nodes.ContainsKey(node.Value))
            {
                ReportUnresolved(node.At, $"unknown node '{node.Value}'");
            }
        }

        var usedPorts = new Dictionary<(string Device, string Port), LinkDraft>();
        foreach (var link in _links)
        {
            foreach (var end in new[] { link.A, link.B })
            {
                if (end is not { } e)
                {
                    continue;
                }

                if (!devices.TryGetValue(e.Device.Value, out var device))
                {
                    ReportUnresolved(e.Device.At, $"unknown device '{e.Device.Value}'");
                    continue;
                }

                if (device.Value is not null && !device.Ports.ContainsKey(e.Port.Value))
                {
                    Report(e.Port.At, $"device '{e.Device.Value}' has no port '{e.Port.Value}'");
                    continue;
                }

                if (usedPorts.TryGetValue((e.Device.Value, e.Port.Value), out var other))
                {
                    Report(e.Port.At, $"port '{e.Port.Value}' of device '{e.Device.Value}' is already used by link '{other.Id?.Value}' ({other.At.Place})");
                    continue;
                }

                usedPorts[(e.Device.Value, e.Port.Value)] = link;
            }
        }

        foreach (var node in _nodes)
        {
            if (node.Device is { } deviceRef)
            {
                if (!devices.TryGetValue(deviceRef.Value, out var device))
                {
                    ReportUnresolved(deviceRef.At, $"unknown device '{deviceRef.Value}'");
                }
                else if (device.Value is { } d && d.NodeId != node.Id?.Value)
                {
                    Report(deviceRef.At, d.NodeId is null
                        ? $"device '{d.Id}' is not a mobile-switch of this node (it has no node)"
                        : $"device '{d.Id}' belongs to node '{d.NodeId}'");
                }
            }

            CheckAssignments(node.Assignments, events);
        }

        var macs = new Dictionary<string, EndpointDraft>(StringComparer.Ordinal);
        foreach (var endpoint in _endpoints)
        {
            if (endpoint.Mac is { } mac)
            {
                if (macs.TryGetValue(mac, out var other))
                {
                    Report(endpoint.MacAt!.Value, $"MAC {mac} is already used by endpoint '{other.Id?.Value}' ({other.MacAt!.Value.Place})");
                }
                else
                {
                    macs[mac] = endpoint;
                }
            }

            if (endpoint.Node is { } nodeRef)
            {
                if (!nodes.TryGetValue(nodeRef.Value, out var node))
                {
                    ReportUnresolved(nodeRef.At, $"unknown node '{nodeRef.Value}'");
                }
                else if (endpoint.PlannedPort is { } port && node.Complete)
                {
                    var device = InferredDevice(node);
                    if (device is null)
                    {
                        ReportUnresolved(port.At, $"node '{nodeRef.Value}' has no device to plan a port on");
                    }
                    else if (devices.TryGetValue(device, out var deviceDraft) && deviceDraft.Value is not null &&
                             !deviceDraft.Ports.ContainsKey(port.Value))
                    {
                        Report(port.At, $"device '{device}' of node '{nodeRef.Value}' has no port '{port.Value}'");
                    }
                }
            }

            CheckAssignments(endpoint.Assignments, events);
        }
    }

    private void CheckAssignments(List<AssignmentDraft> assignments, Dictionary<string, EventDraft> events)
    {
        for (var i = 0; i < assignments.Count; i++)
        {
            var assignment = assignments[i];
            if (!events.TryGetValue(assignment.Value.EventId, out var @event))
            {
                ReportUnresolved(assignment.EventAt, $"unknown event '{assignment.Value.EventId}'");
            }
            else if (@event.Value is not null && !@event.Zones.ContainsKey(assignment.Value.ZoneId))
            {
                Report(assignment.ZoneAt, $"event '{assignment.Value.EventId}' has no zone '{assignment.Value.ZoneId}'");
            }

            for (var j = 0; j < i; j++)
            {
                var earlier = assignments[j].Value;
                if (assignment.Value.From < earlier.Until && earlier.From < assignment.Value.Until)
                {
                    Report(assignment.At, $"overlaps the assignment to '{earlier.EventId}/{earlier.ZoneId}' at {assignments[j].At.Place}: a thing is in one place at a time");
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A reference that nothing answers, or a node whose mobile-switch is nowhere: an error when every file was parsed;
    /// otherwise what it names may sit in the file that was not, and the skipped check is reported once for that file.
    /// </summary>
    private void ReportUnresolved(Origin at, string message)
    {
        if (AllRead)
        {
            Report(at, message);
        }
    }

    /// <summary>A node's device: named by the node, else the one mobile-switch that names the node.</summary>
    private string? InferredDevice(NodeDraft node)
    {
        if (node.Device is { } named)
        {
            return named.Value;
        }

        var claiming = _devices.Where(d => d.Value is { NodeId: { } n } && n == node.Id?.Value).Take(2).ToList();
        return claiming.Count == 1 ? claiming[0].Value!.Id : null;
    }

    private Dictionary<string, TDraft> Unique<TDraft>(IEnumerable<TDraft> drafts, string kind)
        where TDraft : IDraft
    {
        var seen = new Dictionary<string, TDraft>(StringComparer.Ordinal);
        foreach (var draft in drafts)
        {
            if (draft.Id is not { } id)
            {
                continue;
            }

            if (seen.TryGetValue(id.Value, out var first))
            {
                Report(id.At, $"duplicate {kind} id '{id.Value}' (first defined at {first.Id!.Value.At.Place})");
            }
            else
            {
                seen[id.Value] = draft;
            }
        }

        return seen;
    }
}
