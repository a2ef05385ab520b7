using NetOps.Core.Inventory;

namespace NetOps.Core.Tests;

/// <summary>A site plan maps GPS positions to plan points linearly within its bounds, and back.</summary>
public sealed class SitePlanTests
{
    private static readonly SitePlan Plan = new("plan.svg", "/inventory/plan.svg", 1000, 700,
        new PlanBounds(South: 49.4426, West: 7.7650, North: 49.4458, East: 7.7720),
        new Dictionary<string, IReadOnlyList<PlanPoint>>(), new Dictionary<string, PlanPoint>());

    [Theory]
    [InlineData(49.4458, 7.7650, 0, 0)]      // north-west corner: top left
    [InlineData(49.4426, 7.7720, 1000, 700)] // south-east corner: bottom right
    [InlineData(49.4442, 7.7685, 500, 350)]  // the middle
    [InlineData(49.4445, 7.7693, 614.3, 284.4)] // Stiftsplatz
    public void GpsPosition_MapsLinearly_NorthUp(double lat, double lon, double x, double y)
    {
        var point = Plan.ToPlan(new GpsPoint(lat, lon));

        Assert.NotNull(point);
        Assert.Equal(x, point.Value.X, 0.1);
        Assert.Equal(y, point.Value.Y, 0.1);
    }

    [Theory]
    [InlineData(49.4460, 7.7690)] // north of the plan
    [InlineData(49.4440, 7.7640)] // west of it
    [InlineData(double.NaN, 7.7690)]
    public void PositionOffThePlan_HasNoPoint(double lat, double lon) => Assert.Null(Plan.ToPlan(new GpsPoint(lat, lon)));

    [Fact]
    public void PlanWithoutBounds_PlacesNothingByGps()
    {
        var plan = Plan with { Bounds = null };

        Assert.Null(plan.ToPlan(new GpsPoint(49.4442, 7.7685)));
        Assert.Null(plan.ToGps(new PlanPoint(500, 350)));
    }

    [Fact]
    public void PlanPoint_MapsBackToTheGpsPositionItCameFrom()
    {
        var gps = Plan.ToGps(new PlanPoint(614.3, 284.4))!.Value;

        Assert.Equal(49.4445, gps.Latitude, 0.00001);
        Assert.Equal(7.7693, gps.Longitude, 0.00001);
        Assert.Equal(new PlanPoint(614.3, 284.4).X, Plan.ToPlan(gps)!.Value.X, 1e-6);
    }

    [Fact]
    public void Centroid_IsTheCentreOfTheArea_NotOfTheVertices()
    {
        // An L: its vertices' mean is (13.3, 13.3); the centre of its area is (11, 11).
        PlanPoint[] square = [new(0, 0), new(10, 0), new(10, 10), new(0, 10)];
        PlanPoint[] ell = [new(0, 0), new(30, 0), new(30, 10), new(10, 10), new(10, 30), new(0, 30)];

        Assert.Equal(new PlanPoint(5, 5), SitePlan.Centroid(square));
        var centre = SitePlan.Centroid(ell);
        Assert.Equal(11, centre.X, 0.01);
        Assert.Equal(11, centre.Y, 0.01);
    }
}
