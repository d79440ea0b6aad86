using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Codis.Cluster.Net;

/// <summary>
/// Listen addresses as Go's <c>net</c> package handles them: parsing <c>host:port</c> for a network
/// (<c>tcp</c>, <c>tcp4</c>, <c>tcp6</c>), formatting a bound endpoint (<c>0.0.0.0:19000</c>,
/// <c>[::]:19000</c>), and the advertised address rule of dashboard-api.md §7 step 3.
/// </summary>
public static class NetAddress
{
    /// <summary>Resolves <paramref name="address"/> (<c>host:port</c>, empty host = any) for a TCP network.</summary>
    /// <exception cref="FormatException">Not <c>host:port</c>, a bad port, or a host that does not resolve.</exception>
    public static IPEndPoint Resolve(string network, string address)
    {
        (string host, int port) = Split(address);
        if (host.Length == 0)
            return new IPEndPoint(network == "tcp4" ? IPAddress.Any : IPAddress.IPv6Any, port);
        if (IPAddress.TryParse(host, out IPAddress? ip))
        {
            if ((network == "tcp4" && ip.AddressFamily != AddressFamily.InterNetwork)
                || (network == "tcp6" && ip.AddressFamily != AddressFamily.InterNetworkV6))
            {
                throw new FormatException($"address {address}: no suitable address for network {network}");
            }
            return new IPEndPoint(ip, port);
        }
        IPAddress[] all;
        try
        {
            all = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new FormatException($"lookup {host}: {e.Message}");
        }
        IPAddress? pick = network switch
        {
            "tcp4" => all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork),
            "tcp6" => all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6),
            _ => all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? all.FirstOrDefault(),
        };
        return pick is null ? throw new FormatException($"address {address}: no suitable address for network {network}")
            : new IPEndPoint(pick, port);
    }

    /// <summary>Splits <c>host:port</c> (<c>[v6]:port</c> allowed).</summary>
    /// <exception cref="FormatException">Missing or bad port.</exception>
    public static (string Host, int Port) Split(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon < 0)
            throw new FormatException($"address {address}: missing port in address");
        string host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':'))
            throw new FormatException($"address {address}: too many colons in address");
        if (!int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new FormatException($"address {address}: invalid port");
        return (host, port);
    }

    /// <summary>Go's <c>Addr().String()</c> of a bound endpoint: <c>1.2.3.4:5</c> or <c>[::]:5</c>.</summary>
    public static string Format(IPEndPoint ep)
    {
        IPAddress ip = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4() : ep.Address;
        string port = ep.Port.ToString(CultureInfo.InvariantCulture);
        return ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /// <summary>
    /// The address to advertise for a bound <paramref name="bound"/> address: <paramref name="hostOverride"/>
    /// when given (it must resolve); else the bound address if its IP is specified; else
    /// <c>&lt;hostname&gt;:&lt;port&gt;</c> when the host name resolves to a global unicast IP; else the first global
    /// unicast interface IP; else an error <c>resolve address '&lt;addr&gt;' to '&lt;resolved&gt;'</c>. Unix sockets
    /// are advertised as given.
    /// </summary>
    /// <exception cref="FormatException">No address can be advertised.</exception>
    public static string Advertise(string network, string bound, string hostOverride)
    {
        if (network is "unix" or "unixpacket")
            return hostOverride.Length > 0 ? hostOverride : bound;
        string address = hostOverride.Length > 0 ? hostOverride : bound;
        IPEndPoint ep = Resolve(network, address);
        if (ep.Port != 0)
        {
            bool unspecified = ep.Address.Equals(IPAddress.Any) || ep.Address.Equals(IPAddress.IPv6Any);
            if (!unspecified)
                return address;
            if (hostOverride.Length == 0)
            {
                string port = ep.Port.ToString(CultureInfo.InvariantCulture);
                string hostname = Dns.GetHostName();
                if (HostResolvesGlobally(hostname))
                    return hostname + ":" + port;
                IPAddress? iface = InterfaceIPs().FirstOrDefault();
                if (iface is not null)
                    return Format(new IPEndPoint(iface, ep.Port));
            }
        }
        throw new FormatException($"resolve address '{address}' to '{Format(ep)}'");
    }

    private static bool HostResolvesGlobally(string hostname)
    {
        try
        {
            Task<IPAddress[]> t = Dns.GetHostAddressesAsync(hostname);
            // Go gives the lookup 30 ms.
            return t.Wait(TimeSpan.FromMilliseconds(30)) && t.Result.Any(IsGlobalUnicast);
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    private static IEnumerable<IPAddress> InterfaceIPs()
    {
        NetworkInterface[] nics;
        try
        {
            nics = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            yield break;
        }
        foreach (NetworkInterface nic in nics)
        {
            foreach (UnicastIPAddressInformation a in nic.GetIPProperties().UnicastAddresses)
            {
                if (IsGlobalUnicast(a.Address))
                    yield return a.Address;
            }
        }
    }

    /// <summary>Go's <c>IP.IsGlobalUnicast</c>: not unspecified, loopback, link-local, multicast or broadcast.</summary>
    public static bool IsGlobalUnicast(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast))
            return false;
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            byte[] b = ip.GetAddressBytes();
            return !(b[0] >= 224 || (b[0] == 169 && b[1] == 254));
        }
        return !(ip.IsIPv6LinkLocal || ip.IsIPv6Multicast);
    }
}
