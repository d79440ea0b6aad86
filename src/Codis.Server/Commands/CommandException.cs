using System.Diagnostics.CodeAnalysis;

namespace Codis.Server.Commands;

/// <summary>
/// An error reply raised from anywhere inside a command; the dispatcher catches it once and writes
/// <see cref="Exception.Message"/> (which carries the code, e.g. <c>ERR ...</c>) as the reply.
/// </summary>
public sealed class CommandException(string message) : Exception(message);

/// <summary>Redis's shared error texts and throw helpers.</summary>
public static class Errors
{
    /// <summary>WRONGTYPE.</summary>
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

    /// <summary>Not an integer.</summary>
    public const string NotInteger = "ERR value is not an integer or out of range";

    /// <summary>Not a float.</summary>
    public const string NotFloat = "ERR value is not a valid float";

    /// <summary>Syntax error.</summary>
    public const string Syntax = "ERR syntax error";

    /// <summary>No such key.</summary>
    public const string NoSuchKey = "ERR no such key";

    /// <summary>Index out of range.</summary>
    public const string OutOfRange = "ERR index out of range";

    /// <summary>Overflow of INCR and friends.</summary>
    public const string Overflow = "ERR increment or decrement would overflow";

    /// <summary>Out of memory.</summary>
    public const string Oom = "OOM command not allowed when used memory > 'maxmemory'.";

    /// <summary>Invalid DB index.</summary>
    public const string DbIndexOutOfRange = "ERR DB index is out of range";

    /// <summary>Throws a command error.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new CommandException(message);

    /// <summary>Throws WRONGTYPE.</summary>
    [DoesNotReturn]
    public static void ThrowWrongType() => throw new CommandException(WrongType);

    /// <summary>Throws the syntax error.</summary>
    [DoesNotReturn]
    public static void ThrowSyntax() => throw new CommandException(Syntax);

    /// <summary>The arity error for <paramref name="name"/>.</summary>
    public static string WrongArgs(string name) => $"ERR wrong number of arguments for '{name}' command";
}
