namespace Codis.IntegrationTests.Differential;

/// <summary>PFADD / PFCOUNT / PFMERGE compared with Redis 7.0, including the raw bytes of the values.</summary>
public sealed class HyperLogLogTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static string[] Cmd(string line) => line.Split(' ');

    private static void Lines(DiffSession d, params string[] lines)
    {
        foreach (string line in lines)
            d.Same(Cmd(line));
    }

    [Fact]
    public void PfAdd_NewKeyAndElements_SameBytesAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "PFADD h", "GET h", "PFADD h", "PFADD h a b c", "GET h", "PFADD h a", "PFADD h d", "GET h", "PFCOUNT h", "GET h",
            "PFCOUNT h", "PFADD h2 x", "GET h2", "PFCOUNT nope", "PFADD e ", "GET e");
    }

    [Fact]
    public void PfAdd_ManyElements_PromotesToDenseWithSameBytes()
    {
        using DiffSession d = servers.NewDiff();
        for (int batch = 0; batch < 12; batch++)
        {
            var args = new List<string> { "PFADD", "big" };
            for (int i = 0; i < 250; i++)
                args.Add($"element-{batch}-{i}");
            d.Same([.. args]);
            d.Same("GET", "big");
            d.Same("PFCOUNT", "big");
            d.Same("GET", "big");
        }
    }

    [Fact]
    public void PfCount_MultipleKeys_UnionWithoutTouchingHeaders()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d, "PFADD a 1 2 3 4 5", "PFADD b 4 5 6 7", "PFCOUNT a b", "PFCOUNT a b nope", "GET a", "GET b", "PFCOUNT nope1 nope2");
        var args = new List<string> { "PFADD", "dense" };
        for (int i = 0; i < 4000; i++)
            args.Add("d" + i);
        d.Same([.. args]);
        Lines(d, "PFCOUNT a dense", "PFCOUNT dense", "GET dense");
    }

    [Fact]
    public void PfMerge_SparseAndDense_SameBytesAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d, "PFADD a x y z", "PFADD b z w", "PFMERGE m a b", "GET m", "PFCOUNT m", "GET m", "PFMERGE m", "GET m",
            "PFMERGE a b", "GET a", "PFMERGE new", "GET new", "PFMERGE n2 nope1 nope2", "GET n2");
        var args = new List<string> { "PFADD", "dense" };
        for (int i = 0; i < 4000; i++)
            args.Add("d" + i);
        d.Same([.. args]);
        Lines(d, "PFMERGE md a dense", "GET md", "PFCOUNT md", "PFMERGE a dense", "GET a");
    }

    [Fact]
    public void WrongTypesAndCorruption_SameErrorsAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("ZADD", "z", "1", "a");
        d.Both("SET", "s", "not an hll at all");
        d.Both("SET", "short", "HYLL");
        d.Both("SET", "badenc", "HYLL\u0002\0\0\0\0\0\0\0\0\0\0\0\u0040\u0000");
        d.Both("SET", "densebad", "HYLL\0\0\0\0\0\0\0\0\0\0\0\0abc");
        // A sparse header followed by a run that covers too few registers.
        d.Both("SET", "corrupt", "HYLL\u0001\0\0\0\0\0\0\0\0\0\0\u0080\u0001");
        Lines(d, "PFADD z a", "PFCOUNT z", "PFMERGE z", "PFMERGE d z", "PFADD s a", "PFCOUNT s", "PFCOUNT s z",
            "PFMERGE d s", "PFADD short a", "PFCOUNT badenc", "PFCOUNT densebad", "PFCOUNT corrupt", "PFCOUNT corrupt corrupt",
            "PFMERGE d corrupt", "GET d", "PFADD corrupt a", "PFADD", "PFCOUNT", "PFMERGE");
    }
}
