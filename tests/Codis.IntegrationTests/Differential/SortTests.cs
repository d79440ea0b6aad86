namespace Codis.IntegrationTests.Differential;

/// <summary>
/// SORT and SORT_RO compared with Redis 7.0. They need the list, set, sorted-set and hash families
/// (RPUSH, SADD, ZADD, HSET, LRANGE) of the merged server.
/// </summary>
public sealed class SortTests(NotifyingServerPairFixture fixture) : KeyTestBase(fixture), IClassFixture<NotifyingServerPairFixture>
{
    [Fact]
    public void Sort_List_NumericAlphaLimit()
    {
        Seq("RPUSH l 3 1 2 10 -5 2.5", "SORT l", "SORT l DESC", "SORT l LIMIT 1 2", "SORT l LIMIT -1 2", "SORT l LIMIT 2 -1",
            "SORT l LIMIT 10 2", "SORT l LIMIT 0 0", "SORT l ALPHA", "SORT l ALPHA DESC", "SORT l desc asc", "SORT l ALPHA LIMIT 1 3");
    }

    [Fact]
    public void Sort_ByNosort_KeepsNativeOrder()
    {
        Seq("RPUSH l 3 1 2 10", "SORT l BY nosort", "SORT l BY nosort DESC", "SORT l BY nosort LIMIT 1 3",
            "SORT l BY nosort DESC LIMIT 1 3", "SORT l BY nosort LIMIT 100 3", "SORT l BY nosort LIMIT -5 2");
        Seq("ZADD z 3 c 1 a 2 b 0 d", "SORT z ALPHA", "SORT z BY nosort", "SORT z BY nosort DESC", "SORT z BY nosort LIMIT 1 2",
            "SORT z BY nosort DESC LIMIT 1 2", "SORT z BY nosort DESC LIMIT 10 2", "SORT z BY nosort GET #");
    }

    [Fact]
    public void Sort_ByAndGetPatterns_MatchRedis()
    {
        Seq("RPUSH l 3 1 2 10", "SET w_3 30", "SET w_1 10", "SET w_2 -4", "SET w_10 5",
            "SORT l BY w_*", "SORT l BY w_* DESC", "SORT l BY w_* LIMIT 0 3", "SORT l BY w_* GET #", "SORT l BY w_* GET # GET w_*",
            "SORT l GET w_* GET nope GET #->x", "SORT l BY w_* ALPHA", "SORT l BY missing_*", "SORT l BY missing_* DESC");
        Seq("HSET h_1 f a1 g 9", "HSET h_2 f a2 g 8", "HSET h_3 f a3 g 7",
            "SORT l BY h_*->g GET # GET h_*->f", "SORT l BY h_*->g ALPHA GET h_*->f", "SORT l BY h_*-> GET h_*->",
            "SORT l BY h_*->nosuch GET h_*->f", "SORT l GET h_*", "SORT l GET w_*->f", "SORT l GET x*y");
    }

    [Fact]
    public void Sort_Store_StoresListAndDeletesWhenEmpty()
    {
        Seq("RPUSH l 3 1 2", "SET w_1 a", "SORT l STORE dst", "LRANGE dst 0 -1", "TTL dst", "EXPIRE dst 100",
            "SORT l BY nosort GET # GET w_* STORE dst", "LRANGE dst 0 -1", "TTL dst", "SORT l STORE dst LIMIT 100 1", "EXISTS dst",
            "SORT nokey STORE dst", "SORT_RO l STORE x", "SORT_RO l BY w_* DESC LIMIT 0 2", "SORT l STORE", "SET s x", "SORT l STORE s", "TYPE s");
        Seq("SADD s2 5 3 9 1", "SORT s2 BY nosort STORE sd", "LRANGE sd 0 -1", "SORT s2", "SORT s2 DESC", "SORT s2 ALPHA LIMIT 1 2");
    }

    [Fact]
    public void Sort_Errors_MatchRedis()
    {
        Seq("SET str x", "SORT str", "SORT str FOO", "SORT nokey", "SORT nokey FOO", "SORT nokey LIMIT 0 1", "SORT nokey LIMIT a 1",
            "SORT nokey LIMIT 0", "SORT nokey BY", "SORT nokey GET", "SORT nokey STORE", "SORT_RO nokey STORE dst",
            "SORT nokey BY x GET # GET a_* DESC ALPHA ASC", "SORT", "SORT_RO");
        Seq("RPUSH bad 1 a 3", "SORT bad", "SORT bad ALPHA", "SORT bad BY nosort");
        D.Same("RPUSH", "sp", " 1", "2");
        Seq("SORT sp");
        D.Same("RPUSH", "e", "", " 1", "2");
        Seq("SORT e");
    }

    [Fact]
    public void Sort_TiesAndWeights_Deterministic()
    {
        Seq("RPUSH ties 2 1 2 10 1 01", "SORT ties", "SORT ties DESC", "RPUSH t2 b a c", "SET wa 1", "SET wb 1", "SET wc 0",
            "SORT t2 BY w*", "SORT t2 BY w* DESC");
    }
}
