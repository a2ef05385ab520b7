using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Models;
using NetOps.Core.State;

namespace NetOps.Web.ViewModels;

/// <summary>How a link's existence is known, from the link state's "discovery" attribute.</summary>
public enum Discovery
{
    /// <summary>No discovery evidence (yet): drawn as planned.</summary>
    Unverified,
    Confirmed,
    Missing,
    Miswired,

    /// <summary>Seen by discovery, not in the plan.</summary>
    Unexpected,
}

/// <summary>A link on the diagram (a planned one, a discovered-only one, or several folded into a collapsed group).</summary>
public sealed class HealthLink(string key, NodeModel a, NodeModel b)
    : LinkModel(key, new ShapeIntersectionAnchor(a), new ShapeIntersectionAnchor(b))
{
    public string Key => Id;

    /// <summary>Keys of the nodes at either end.</summary>
    public string EndA { get; } = a.Id;
    public string EndB { get; } = b.Id;

    /// <summary>The link's id when this draws exactly one link; null for an aggregate.</summary>
    public string? LinkId { get; init; }

    /// <summary>The links folded into this one (one for a plain link).</summary>
    public IReadOnlyList<string> Members { get; init; } = [];
    public StateValue State { get; set; } = StateValue.Unknown;
    public Discovery Discovery { get; set; }
    public bool Dimmed { get; set; }

    /// <summary>A line of text for the tooltip (reason; for discovered links the ends as reported: untrusted).</summary>
    public string Title { get; set; } = "";
}
