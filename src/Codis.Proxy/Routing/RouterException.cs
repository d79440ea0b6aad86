namespace Codis.Proxy.Routing;

/// <summary>
/// A fill or start refused by the router; <see cref="Exception.Message"/> is Codis's text
/// (<c>use of invalid slot id</c>, <c>use of invalid forwarder method</c>, <c>use of closed router</c>),
/// which the admin API returns to the dashboard as is.
/// </summary>
public sealed class RouterException(string message) : Exception(message)
{
    /// <summary>Codis's text for a slot id outside 0..1023.</summary>
    public const string InvalidSlotId = "use of invalid slot id";

    /// <summary>Codis's text for a forward method other than 0 (sync) and 1 (semi-async).</summary>
    public const string InvalidForwardMethod = "use of invalid forwarder method";

    /// <summary>Codis's text for any change after <see cref="Router.Close"/>.</summary>
    public const string Closed = "use of closed router";
}
