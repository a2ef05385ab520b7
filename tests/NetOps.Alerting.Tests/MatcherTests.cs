using NetOps.Core.Alerts;

namespace NetOps.Alerting.Tests;

public sealed class MatcherTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        [AlertLabels.Name] = "LinkDown",
        [AlertLabels.Subject] = "link:core-acc-nord",
        [AlertLabels.Severity] = "critical",
    };

    [Theory]
    [InlineData("alertname", MatchOperator.Equal, "LinkDown", true)]
    [InlineData("alertname", MatchOperator.Equal, "Link", false)]
    [InlineData("alertname", MatchOperator.NotEqual, "PortDown", true)]
    [InlineData("subject", MatchOperator.Regex, "link:core-.*", true)]
    [InlineData("subject", MatchOperator.Regex, "core", false)]
    [InlineData("subject", MatchOperator.NotRegex, "link:.*", false)]
    [InlineData("team", MatchOperator.Equal, "", true)]
    public void Matcher_ComparesLikeAlertmanager(string name, MatchOperator op, string value, bool expected)
    {
        Assert.Equal(expected, new Matcher(name, op, value).Matches(Labels));
    }

    [Fact]
    public void NoMatchers_MatchNothing()
    {
        Assert.False(Matcher.All([], Labels));
    }

    [Fact]
    public void BrokenRegex_IsNamedByValidate()
    {
        Assert.Contains("not a regular expression", new Matcher("subject", MatchOperator.Regex, "(").Validate());
    }
}
