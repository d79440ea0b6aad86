namespace Codis.Cluster.Rpc;

/// <summary>
/// An error of an admin API call. On the server side it is answered as HTTP 800 with this <c>Cause</c>;
/// on the client side it is what a remote 800/1500 reply (<c>[Remote Error] Cause</c>) or a transport
/// failure becomes.
/// </summary>
public sealed class ApiException(string cause, Exception? inner = null) : Exception(cause, inner);
