using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Codis.Core.Json;

/// <summary>
/// Marks a property that is left out of the JSON when it holds its zero value: 0, "", false, null, or an
/// empty list or map (Go's <c>omitempty</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OmitEmptyAttribute : Attribute
{
}

/// <summary>
/// JSON encoding and decoding as Codis's Go components do it (<c>coordinator.md</c> §3): 4-space indent,
/// <c>"key": value</c>, no trailing newline, keys in declaration order, <see cref="OmitEmptyAttribute"/>
/// for <c>omitempty</c>, Go's HTML-safe escaping of <c>&lt;</c> <c>&gt;</c> <c>&amp;</c>; decoding accepts
/// any key order, unknown keys, and keys in any letter case (as Go's decoder does).
/// </summary>
public static class CodisJson
{
    /// <summary>The serializer options used for every Codis JSON value.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Encodes a value as Codis's Go encoder would (indented, no trailing newline).</summary>
    public static string Encode<T>(T value) => GoEscape(JsonSerializer.Serialize(value, Options));

    /// <summary>Encodes a value whose type is only known at run time.</summary>
    public static string Encode(object? value, Type type) => GoEscape(JsonSerializer.Serialize(value, type, Options));

    /// <summary>Decodes a value; missing keys keep their defaults.</summary>
    /// <exception cref="JsonException">The text is not valid JSON for <typeparamref name="T"/>.</exception>
    public static T? Decode<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>Decodes a value from UTF-8 bytes.</summary>
    /// <exception cref="JsonException">The bytes are not valid JSON for <typeparamref name="T"/>.</exception>
    public static T? Decode<T>(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize<T>(utf8, Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(ApplyOmitEmpty);
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 4,
            NewLine = "\n",
            // Escaping is done afterwards the Go way; the default encoder would also escape '+', quotes and
            // every non-ASCII character, which Go leaves alone.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNameCaseInsensitive = true,
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
    }

    private static void ApplyOmitEmpty(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (JsonPropertyInfo p in info.Properties)
        {
            // [JsonIgnore(Condition = WhenWritingDefault)] is read as omitempty too, so that models written
            // with the standard attribute also leave out empty lists, as Go does.
            if (p.AttributeProvider?.IsDefined(typeof(OmitEmptyAttribute), inherit: true) == true
                || p.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
                    .OfType<JsonIgnoreAttribute>().Any(a => a.Condition is JsonIgnoreCondition.WhenWritingDefault or JsonIgnoreCondition.WhenWritingNull) == true)
            {
                p.ShouldSerialize = static (_, value) => !IsEmpty(value);
            }
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        bool b => !b,
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ulong ul => ul == 0,
        double d => d == 0,
        ICollection c => c.Count == 0,
        IEnumerable e => !e.GetEnumerator().MoveNext(),
        _ => false,
    };

    /// <summary>
    /// Go writes <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and U+2029 as lower-case <c>\u</c> escapes. These
    /// characters never occur in JSON outside strings, so a plain replacement is exact.
    /// </summary>
    private static string GoEscape(string json)
    {
        if (json.AsSpan().IndexOfAny("<>&\u2028\u2029") < 0)
            return json;
        var sb = new StringBuilder(json.Length + 16);
        foreach (char c in json)
        {
            switch (c)
            {
                case '<': sb.Append("\\u003c"); break;
                case '>': sb.Append("\\u003e"); break;
                case '&': sb.Append("\\u0026"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
