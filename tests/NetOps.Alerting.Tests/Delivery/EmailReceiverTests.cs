using MimeKit;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Testing;

namespace NetOps.Alerting.Tests.Delivery;

/// <summary>Against Debian's aiosmtpd, which stores what it receives in a maildir the test reads with MimeKit.</summary>
public sealed class EmailReceiverTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private SmtpServer _smtp = null!;

    public async Task InitializeAsync() => _smtp = await SmtpServer.StartAsync();

    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    [Fact]
    public async Task EachNotification_IsOneMail_WithSubjectTextAndHtml()
    {
        var firing = TestAlerts.Firing(Start, id: "f00d") with { Affected = ["endpoint:cam-03", "endpoint:cam-04"] };
        var receiver = Receiver();

        await receiver.DeliverAsync(TestAlerts.Notify("email", NotificationKind.Firing, firing), CancellationToken.None);
        await receiver.DeliverAsync(TestAlerts.Notify("email", NotificationKind.Resolved, TestAlerts.Resolved(firing, Start.AddMinutes(7))),
            CancellationToken.None);

        var mails = (await _smtp.WaitForMailsAsync(2, Wait)).Select(f => MimeMessage.Load(f)).ToList();
        Assert.Equal(2, mails.Count);
        var first = mails.Single(m => m.Subject?.StartsWith("[FIRING", StringComparison.Ordinal) == true);
        Assert.Equal("[FIRING:1] LinkDown link:core-acc-nord — Link down", first.Subject);
        Assert.Equal("netops@example.org", Assert.Single(first.From.Mailboxes).Address);
        Assert.Equal(["noc@example.org", "oncall@example.org"], first.To.Mailboxes.Select(m => m.Address));
        var alternative = Assert.IsType<MultipartAlternative>(first.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        var text = first.TextBody;
        Assert.Contains("[CRITICAL] LinkDown link:core-acc-nord", text, StringComparison.Ordinal);
        Assert.Contains("Since:        2026-05-01 10:00:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains("endpoint:cam-03, endpoint:cam-04", text, StringComparison.Ordinal);
        Assert.Contains("Acknowledged: not yet", text, StringComparison.Ordinal);
        Assert.Contains("https://wiki.example.org/runbooks/link-down", text, StringComparison.Ordinal);
        Assert.Contains("https://netops.example.org/ops/alerts/f00d", text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://netops.example.org/ops/alerts/f00d\">", first.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://wiki.example.org/runbooks/link-down\">", first.HtmlBody, StringComparison.Ordinal);

        var second = mails.Single(m => m != first);
        Assert.Equal("[RESOLVED] LinkDown link:core-acc-nord — Link down", second.Subject);
        Assert.Contains("Resolved:     2026-05-01 10:07:00 UTC", second.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceText_IsEncodedInTheHtml()
    {
        // An interface description is whatever someone typed into the switch.
        var hostile = TestAlerts.Firing(Start, summary: "Link down <script>alert('x')</script> & more") with
        {
            Acknowledgement = new Acknowledgement("bob <b>", Start.AddMinutes(1), "\"quoted\" <img src=x onerror=alert(1)>"),
            Status = AlertStatus.Acknowledged,
        };
        hostile = hostile with
        {
            Annotations = hostile.Annotations.SetItem(AlertAnnotations.Runbook, "javascript:alert(1)")
                .SetItem(AlertAnnotations.Description, "port Gi1/0/1 \"<uplink>\""),
        };

        await Receiver().DeliverAsync(TestAlerts.Notify("email", NotificationKind.Escalation, hostile), CancellationToken.None);

        var mail = MimeMessage.Load(Assert.Single(await _smtp.WaitForMailsAsync(1, Wait)));
        Assert.StartsWith("[ESCALATION] [FIRING:1] LinkDown link:core-acc-nord — Link down <script>", mail.Subject, StringComparison.Ordinal);
        var html = mail.HtmlBody;
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Link down &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&lt;uplink&gt;&quot;", html, StringComparison.Ordinal);
        Assert.Contains("by bob &lt;b&gt;", html, StringComparison.Ordinal);
        // The plain text says it as it is.
        Assert.Contains("Link down <script>alert('x')</script> & more", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceText_CannotBreakTheSubjectLine()
    {
        var alert = TestAlerts.Firing(Start, summary: "Link down\r\nBcc: victim@example.org");

        await Receiver().DeliverAsync(TestAlerts.Notify("email", NotificationKind.Firing, alert), CancellationToken.None);

        var mail = MimeMessage.Load(Assert.Single(await _smtp.WaitForMailsAsync(1, Wait)));
        Assert.Equal("[FIRING:1] LinkDown link:core-acc-nord — Link down Bcc: victim@example.org", mail.Subject);
        Assert.Empty(mail.Bcc);
        Assert.Equal(2, mail.To.Count);
    }

    [Fact]
    public async Task ServerNotListening_FailsTheDelivery()
    {
        var receiver = new EmailReceiver(new EmailReceiverOptions { Host = "127.0.0.1", Port = FreePort.Tcp(), To = ["noc@example.org"] },
            TestAlerts.ExternalUrl, Wait);

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() =>
            receiver.DeliverAsync(TestAlerts.Notify("email", NotificationKind.Firing, TestAlerts.Firing(Start)), CancellationToken.None));
    }

    private EmailReceiver Receiver() => new(new EmailReceiverOptions
    {
        Host = "127.0.0.1",
        Port = _smtp.Port,
        From = "NetOps <netops@example.org>",
        To = ["noc@example.org", "oncall@example.org"],
    }, TestAlerts.ExternalUrl, Wait);
}
