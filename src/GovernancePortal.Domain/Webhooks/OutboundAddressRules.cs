using System.Net;
using System.Net.Sockets;

namespace GovernancePortal.Webhooks;

/// <summary>
/// Where the portal may send a webhook (issue 17, item 7): http or https only, and, unless private networks are allowed,
/// no address that reaches the portal's own machine or network (loopback, link-local, private, carrier-grade NAT,
/// unspecified, multicast, broadcast, documentation and benchmark ranges), whether written as IPv4, IPv6 or IPv4 in IPv6.
/// </summary>
public static class OutboundAddressRules
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata services
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),     // documentation
        IPNetwork.Parse("192.88.99.0/24"),   // 6to4 relay
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),  // documentation
        IPNetwork.Parse("203.0.113.0/24"),   // documentation
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64
        IPNetwork.Parse("100::/64"),         // discard
        IPNetwork.Parse("2001:db8::/32"),    // documentation
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    /// <summary>Whether <paramref name="address"/> is on the public internet as far as these rules know.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && IsIPv4Embedded(address, out var embedded))
        {
            return IsPublic(embedded);
        }
        return address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            && !Refused.Any(network => network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address));
    }

    /// <summary>IPv4-compatible (<c>::a.b.c.d</c>), NAT64 (<c>64:ff9b::/96</c>) and 6to4 (<c>2002::/16</c>) carry an IPv4 address that is what gets reached.</summary>
    private static bool IsIPv4Embedded(IPAddress address, out IPAddress embedded)
    {
        var bytes = address.GetAddressBytes();
        embedded = IPAddress.None;
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0))
        {
            embedded = new IPAddress(bytes.AsSpan(12, 4));
            return true;
        }
        if (IPNetwork.Parse("64:ff9b::/96").Contains(address))
        {
            embedded = new IPAddress(bytes.AsSpan(12, 4));
            return true;
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            embedded = new IPAddress(bytes.AsSpan(2, 4));
            return true;
        }
        return false;
    }

    /// <summary>Null when <paramref name="url"/> is an absolute http(s) address without credentials; else why not.</summary>
    public static string? CheckUrl(string url, out Uri? parsed)
    {
        parsed = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "Give an absolute address, e.g. https://hooks.example.org/governance.";
        }
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "Only http and https addresses can receive webhooks.";
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Leave credentials out of the address; the signature tells the receiver the request is the portal's.";
        }
        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "An address with a fragment (#…) cannot be delivered to.";
        }
        parsed = uri;
        return null;
    }

    /// <summary>The address as given when it is a literal IP address (brackets of IPv6 removed), else null.</summary>
    public static IPAddress? LiteralAddress(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) ? address : null;
}
