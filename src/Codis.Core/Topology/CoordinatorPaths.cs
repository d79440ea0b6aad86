using System.Text.RegularExpressions;

namespace Codis.Core.Topology;

/// <summary>Coordinator node paths and the product-name rule (coordinator.md §2).</summary>
public static partial class CoordinatorPaths
{
    /// <summary>True when <paramref name="product"/> matches <c>^\w[\w\.\-]*$</c>.</summary>
    public static bool IsValidProduct(string product) => ProductRegex().IsMatch(product);

    /// <summary><c>/codis3/&lt;product&gt;</c>.</summary>
    public static string ProductDir(string product) => "/codis3/" + product;

    /// <summary><c>/codis3/&lt;product&gt;/topom</c>, the dashboard lock.</summary>
    public static string Topom(string product) => ProductDir(product) + "/topom";

    /// <summary><c>/codis3/&lt;product&gt;/proxy/proxy-&lt;token&gt;</c>.</summary>
    public static string Proxy(string product, string token) => ProductDir(product) + "/proxy/proxy-" + token;

    /// <summary><c>/jodis/&lt;product&gt;/proxy-&lt;token&gt;</c>.</summary>
    public static string Jodis(string product, string token) => "/jodis/" + product + "/proxy-" + token;

    /// <summary>The Codis 2 jodis layout <c>/zk/codis/db_&lt;product&gt;/proxy/&lt;token&gt;</c> (<c>jodis_compatible</c>).</summary>
    public static string JodisCompatible(string product, string token) => "/zk/codis/db_" + product + "/proxy/" + token;

    // Go's \w is ASCII-only: [0-9A-Za-z_].
    [GeneratedRegex(@"^[0-9A-Za-z_][0-9A-Za-z_.\-]*$")]
    private static partial Regex ProductRegex();
}
