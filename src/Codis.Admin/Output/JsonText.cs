using System.Text.Json;
using System.Text.Json.Nodes;
using Codis.Core.Json;

namespace Codis.Admin.Output;

/// <summary>
/// JSON as codis-admin prints it: Go's <c>json.MarshalIndent(v, "", "    ")</c> (4-space indent, Go's escaping),
/// the caller adds the newline of <c>fmt.Println</c>.
/// </summary>
internal static class JsonText
{
    /// <summary>A typed value in Codis's encoding.</summary>
    public static string Of<T>(T value) => CodisJson.Encode(value);

    /// <summary>A value received from a server, re-indented; an absent member (null) prints as <c>null</c>.</summary>
    public static string Of(JsonElement? value) =>
        value is { } e && e.ValueKind != JsonValueKind.Undefined ? CodisJson.Encode(e) : "null";

    /// <summary>
    /// A value with every object's keys sorted by byte order, as Go prints a decoded <c>map[string]interface{}</c>
    /// (the <c>--config-dump -1</c> output).
    /// </summary>
    public static string Sorted(JsonNode? value) => CodisJson.Encode(Sort(value), typeof(JsonNode));

    /// <summary>A copy of <paramref name="value"/> whose objects list their keys in ordinal order.</summary>
    public static JsonNode? Sort(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject o:
                var sorted = new JsonObject();
                foreach (KeyValuePair<string, JsonNode?> kv in o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    sorted[kv.Key] = Sort(kv.Value);
                return sorted;
            case JsonArray a:
                var copy = new JsonArray();
                foreach (JsonNode? item in a)
                    copy.Add(Sort(item));
                return copy;
            case null:
                return null;
            default:
                return value.DeepClone();
        }
    }

    /// <summary>A member path (<c>stats</c>, <c>group</c>, <c>models</c>) of <paramref name="root"/>, or null when absent or null.</summary>
    public static JsonElement? Member(JsonElement root, params string[] path)
    {
        JsonElement cur = root;
        foreach (string name in path)
        {
            if (cur.ValueKind != JsonValueKind.Object || !cur.TryGetProperty(name, out JsonElement next) || next.ValueKind == JsonValueKind.Null)
                return null;
            cur = next;
        }
        return cur;
    }
}
