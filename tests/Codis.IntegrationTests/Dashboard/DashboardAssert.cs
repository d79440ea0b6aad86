using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>Assertions on dashboard replies.</summary>
internal static class DashboardAssert
{
    /// <summary>HTTP 200 with the JSON string "OK".</summary>
    public static void Ok(AdminReply r)
    {
        Assert.True(r.Status == 200, $"expected 200 \"OK\", got {r.Status}: {r.Body}");
        Assert.Equal("\"OK\"", r.Body);
    }

    /// <summary>HTTP 800 with exactly this cause.</summary>
    public static void Error(AdminReply r, string cause)
    {
        Assert.True(r.Status == 800, $"expected 800 '{cause}', got {r.Status}: {r.Body}");
        Assert.Equal(cause, Cause(r));
    }

    /// <summary>The cause of an 800 reply.</summary>
    public static string Cause(AdminReply r)
    {
        using JsonDocument d = JsonDocument.Parse(r.Body);
        return d.RootElement.GetProperty("Cause").GetString()!;
    }

    /// <summary>A 200 reply's JSON (cloned, so the document may go).</summary>
    public static JsonElement Json(AdminReply r)
    {
        Assert.True(r.Status == 200, $"expected 200, got {r.Status}: {r.Body}");
        using JsonDocument d = JsonDocument.Parse(r.Body);
        return d.RootElement.Clone();
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; false after <paramref name="timeout"/>. A connection
    /// closed under the condition counts as "not yet": the dashboard's sync action ends with
    /// CLIENT KILL TYPE normal (as Codis does), which may close a probe's connection mid-reply.
    /// </summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Holds(condition))
                return true;
            if (DateTime.UtcNow >= deadline)
                return false;
            Thread.Sleep(100);
        }
    }

    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (IOException)
        {
            return false;
        }
    }
}
