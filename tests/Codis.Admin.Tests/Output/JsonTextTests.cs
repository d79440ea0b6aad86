using System.Text.Json;
using System.Text.Json.Nodes;
using Codis.Admin.Output;

namespace Codis.Admin.Tests.Output;

/// <summary>JSON printed as Go's <c>json.MarshalIndent(v, "", "    ")</c>.</summary>
public sealed class JsonTextTests
{
    [Fact]
    public void Of_CompactServerJson_ReindentedWithGoEscapes()
    {
        using JsonDocument d = JsonDocument.Parse("""{"Cause":"a \u0026 b <c>","list":[],"obj":{},"n":1}""");
        Assert.Equal("{\n    \"Cause\": \"a \\u0026 b \\u003cc\\u003e\",\n    \"list\": [],\n    \"obj\": {},\n    \"n\": 1\n}", JsonText.Of(d.RootElement));
    }

    [Fact]
    public void Of_AbsentMember_Null()
    {
        using JsonDocument d = JsonDocument.Parse("""{"stats": null}""");
        Assert.Equal("null", JsonText.Of(JsonText.Member(d.RootElement, "stats", "group")));
        Assert.Equal("null", JsonText.Of(JsonText.Member(d.RootElement, "config")));
    }

    [Fact]
    public void Sorted_ObjectKeysInByteOrder_Recursively()
    {
        JsonNode? n = JsonNode.Parse("""{"b": {"z": 1, "a": [ {"y": 2, "x": 3} ]}, "a": null, "B": true}""");
        Assert.Equal(
            "{\n    \"B\": true,\n    \"a\": null,\n    \"b\": {\n        \"a\": [\n            {\n                \"x\": 3,\n                \"y\": 2\n            }\n        ],\n        \"z\": 1\n    }\n}",
            JsonText.Sorted(n));
    }
}
