namespace Codis.Admin;

/// <summary>
/// A fatal failure of a command (admin-cli.md §2): <see cref="Exception.Message"/> is the log line
/// (<c>call rpc create-group to dashboard ADDR failed</c>), <see cref="Cause"/> the error under it
/// (<c>[Remote Error] group-[1] already exists</c>), printed after <c>[error]: </c>. Exit status 1.
/// </summary>
internal sealed class AdminFailure(string message, string? cause = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The underlying error text, or null when the message says it all.</summary>
    public string? Cause { get; } = cause;
}
