using System.Text;
using Codis.Server.Persistence;

namespace Codis.Server.Tests.Persistence;

/// <summary>Helpers shared by the codec tests: value builders and a structural equality check.</summary>
internal static class PayloadTestData
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static RdbValue Str(string s) => RdbValue.FromString(B(s));

    public static RdbValue List(params string[] items) => RdbValue.FromList([.. items.Select(B)]);

    public static RdbValue Set(params string[] items) => RdbValue.FromSet([.. items.Select(B)]);

    public static RdbValue Hash(params (string F, string V)[] pairs) => RdbValue.FromHash([.. pairs.Select(p => (B(p.F), B(p.V)))]);

    public static RdbValue ZSet(params (string M, double S)[] pairs) => RdbValue.FromZSet([.. pairs.Select(p => (B(p.M), p.S))]);

    /// <summary>Asserts equal kind and content; sets, hashes and zsets compare without regard to order.</summary>
    public static void AssertSameValue(RdbValue expected, RdbValue actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        switch (expected.Kind)
        {
            case RdbValueKind.String:
                Assert.Equal(expected.String, actual.String);
                break;
            case RdbValueKind.List:
                Assert.Equal(expected.Elements!.Count, actual.Elements!.Count);
                for (int i = 0; i < expected.Elements.Count; i++)
                    Assert.Equal(expected.Elements[i], actual.Elements[i]);
                break;
            case RdbValueKind.Set:
                Assert.Equal(Sorted(expected.Elements!.Select(Convert.ToHexString)), Sorted(actual.Elements!.Select(Convert.ToHexString)));
                break;
            case RdbValueKind.ZSet:
                Assert.Equal(
                    Sorted(expected.ZSetEntries!.Select(e => Convert.ToHexString(e.Member) + "=" + BitConverter.DoubleToInt64Bits(e.Score))),
                    Sorted(actual.ZSetEntries!.Select(e => Convert.ToHexString(e.Member) + "=" + BitConverter.DoubleToInt64Bits(e.Score))));
                break;
            default:
                Assert.Equal(
                    Sorted(expected.HashEntries!.Select(e => Convert.ToHexString(e.Field) + "=" + Convert.ToHexString(e.Value))),
                    Sorted(actual.HashEntries!.Select(e => Convert.ToHexString(e.Field) + "=" + Convert.ToHexString(e.Value))));
                break;
        }
    }

    public static RdbValue RoundTrip(RdbValue value)
    {
        byte[] payload = DumpPayload.Create(value);
        Assert.True(DumpPayload.TryParse(payload, out RdbValue? parsed, out string? error), error);
        AssertSameValue(value, parsed);
        return parsed;
    }

    private static List<string> Sorted(IEnumerable<string> items)
    {
        var list = items.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
