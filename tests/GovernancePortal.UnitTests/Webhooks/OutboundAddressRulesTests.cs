using System.Net;

namespace GovernancePortal.Webhooks;

public sealed class OutboundAddressRulesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("198.18.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:c0a8:0101::1")]
    public void Loopback_link_local_private_and_special_addresses_are_refused(string address) =>
        Assert.False(OutboundAddressRules.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(OutboundAddressRules.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("ftp://hooks.example.org/x", "http")]
    [InlineData("file:///etc/passwd", "http")]
    [InlineData("/relative/path", "absolute")]
    [InlineData("https://user:secret@hooks.example.org/", "credentials")]
    [InlineData("https://hooks.example.org/#frag", "fragment")]
    public void Only_absolute_http_and_https_addresses_without_credentials_are_taken(string url, string said)
    {
        Assert.Contains(said, OutboundAddressRules.CheckUrl(url, out var parsed));
        Assert.Null(parsed);
    }

    [Fact]
    public void Literal_addresses_are_read_from_the_url_and_names_are_left_to_resolve()
    {
        Assert.True(OutboundAddressRules.CheckUrl("https://[::1]:8443/hooks", out var v6) is null);
        Assert.Equal(IPAddress.IPv6Loopback, OutboundAddressRules.LiteralAddress(v6!));
        Assert.True(OutboundAddressRules.CheckUrl("http://10.0.0.5/hooks", out var v4) is null);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), OutboundAddressRules.LiteralAddress(v4!));
        Assert.True(OutboundAddressRules.CheckUrl("https://hooks.example.org/x?y=1", out var named) is null);
        Assert.Null(OutboundAddressRules.LiteralAddress(named!));
    }
}
