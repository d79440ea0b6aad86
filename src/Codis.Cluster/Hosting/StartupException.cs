namespace Codis.Cluster.Hosting;

/// <summary>An error that start-up reports and then exits (a busy port, an unusable address, a bad config...).</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
