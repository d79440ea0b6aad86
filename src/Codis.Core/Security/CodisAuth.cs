using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Text;

namespace Codis.Core.Security;

/// <summary>
/// Codis's instance tokens and admin xauth strings (<c>pkg/utils/rpc/crypto.go</c>, dashboard-api.md §3).
/// Real dashboards and proxies compute the same values, so the algorithm must not change.
/// </summary>
public static class CodisAuth
{
    /// <summary>
    /// <c>md5("Codis-Token@[&lt;macs&gt;]" + "-{seg}"...)</c> in lower-case hex, where macs are the hardware
    /// addresses of this host's interfaces (<see cref="HardwareAddresses"/>).
    /// </summary>
    public static string Token(params string[] segments) => Token(HardwareAddresses(), segments);

    /// <summary><see cref="Token(string[])"/> with an explicit list of hardware addresses (for tests).</summary>
    public static string Token(IReadOnlyList<string> macs, params string[] segments)
    {
        var sb = new StringBuilder("Codis-Token@[");
        sb.AppendJoin(' ', macs).Append(']');
        foreach (string s in segments)
            sb.Append("-{").Append(s).Append('}');
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>The first 32 lower-case hex characters of <c>sha256("Codis-XAuth" + "-[seg]"...)</c>.</summary>
    public static string XAuth(params string[] segments)
    {
        var sb = new StringBuilder("Codis-XAuth");
        foreach (string s in segments)
            sb.Append("-[").Append(s).Append(']');
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The proxy xauth: <c>xauth(product, product_auth, token)</c>.</summary>
    public static string ProxyXAuth(string product, string productAuth, string token) => XAuth(product, productAuth, token);

    /// <summary>The dashboard xauth: <c>xauth(product)</c>.</summary>
    public static string DashboardXAuth(string product) => XAuth(product);

    /// <summary>
    /// Hardware addresses of all interfaces that have one, as Go prints them (<c>02:fc:00:00:00:01</c>),
    /// sorted as strings. Interfaces without one, or with an all-zero one (loopback), are skipped as Go skips them.
    /// </summary>
    public static IReadOnlyList<string> HardwareAddresses()
    {
        var list = new List<string>();
        try
        {
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                byte[] mac = nic.GetPhysicalAddress().GetAddressBytes();
                // Go reports no address for an all-zero one (loopback).
                if (!mac.Any(b => b != 0))
                    continue;
                list.Add(string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))));
            }
        }
        catch (NetworkInformationException)
        {
            // No interface list: the token then depends on the addresses only ("[]"), as in Go.
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
