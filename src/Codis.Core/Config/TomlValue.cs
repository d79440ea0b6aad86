namespace Codis.Core.Config;

/// <summary>The TOML value types that Codis configuration files use.</summary>
public enum TomlKind
{
    /// <summary>A basic ("...") or literal ('...') string.</summary>
    String,

    /// <summary>A 64-bit integer.</summary>
    Integer,

    /// <summary>A floating-point number.</summary>
    Float,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>An array of values.</summary>
    Array,
}

/// <summary>One value read from a TOML file, with the line it was written on (for error messages).</summary>
/// <param name="Kind">The value type.</param>
/// <param name="Line">1-based line of the key.</param>
/// <param name="Text">The string value (<see cref="TomlKind.String"/>).</param>
/// <param name="Integer">The integer value (<see cref="TomlKind.Integer"/>).</param>
/// <param name="Float">The number (<see cref="TomlKind.Float"/>).</param>
/// <param name="Boolean">The boolean value (<see cref="TomlKind.Boolean"/>).</param>
/// <param name="Items">The elements (<see cref="TomlKind.Array"/>).</param>
public sealed record TomlValue(TomlKind Kind, int Line, string Text = "", long Integer = 0, double Float = 0,
    bool Boolean = false, IReadOnlyList<TomlValue>? Items = null)
{
    /// <summary>The TOML type name used in error messages ("string", "integer", ...).</summary>
    public string TypeName => Kind switch
    {
        TomlKind.String => "string",
        TomlKind.Integer => "integer",
        TomlKind.Float => "float",
        TomlKind.Boolean => "boolean",
        _ => "array",
    };

    /// <summary>The value as TOML would write it, for messages.</summary>
    public override string ToString() => Kind switch
    {
        TomlKind.String => "\"" + Text + "\"",
        TomlKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TomlKind.Float => Float.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        TomlKind.Boolean => Boolean ? "true" : "false",
        _ => "[" + string.Join(", ", Items ?? []) + "]",
    };
}

/// <summary>A TOML syntax or type error; the message names the line.</summary>
public sealed class TomlException : Exception
{
    /// <summary>Creates the exception for an error on <paramref name="line"/> (1-based; 0 = no line).</summary>
    public TomlException(string message, int line)
        : base(line > 0 ? $"line {line}: {message}" : message)
    {
        Line = line;
    }

    /// <summary>The 1-based line of the error, 0 when not tied to a line.</summary>
    public int Line { get; }
}
