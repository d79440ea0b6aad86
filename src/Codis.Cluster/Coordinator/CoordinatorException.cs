namespace Codis.Cluster.Coordinator;

/// <summary>A coordinator call failed; the message says which call, on which path, and why.</summary>
public class CoordinatorException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary><see cref="ICoordinator.CreateAsync"/> found the node already there.</summary>
public sealed class NodeExistsException(string message) : CoordinatorException(message);

/// <summary>A read or list with <c>must = true</c> found no node.</summary>
public sealed class NodeMissingException(string message) : CoordinatorException(message);
