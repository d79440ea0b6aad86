namespace Codis.Admin.CommandLine;

/// <summary>
/// The usage text of codis-admin (admin-cli.md §1). It is also the grammar: <see cref="FormMatcher"/> reads
/// the forms and the short-option aliases from it, so the help and the parser cannot drift apart.
/// </summary>
internal static class Usage
{
    /// <summary>The full text printed by <c>--help</c> and when a command line matches no form.</summary>
    public const string Text = """
        Usage:
            codis-admin [-v] --proxy=ADDR [--auth=AUTH] [config|model|stats|slots]
            codis-admin [-v] --proxy=ADDR [--auth=AUTH]  --start
            codis-admin [-v] --proxy=ADDR [--auth=AUTH]  --shutdown
            codis-admin [-v] --proxy=ADDR [--auth=AUTH]  --log-level=LEVEL
            codis-admin [-v] --proxy=ADDR [--auth=AUTH]  --fillslots=FILE [--locked]
            codis-admin [-v] --proxy=ADDR [--auth=AUTH]  --reset-stats
            codis-admin [-v] --proxy=ADDR [--auth=AUTH]  --forcegc
            codis-admin [-v] --dashboard=ADDR           [config|model|stats|slots|group|proxy]
            codis-admin [-v] --dashboard=ADDR            --shutdown
            codis-admin [-v] --dashboard=ADDR            --reload
            codis-admin [-v] --dashboard=ADDR            --log-level=LEVEL
            codis-admin [-v] --dashboard=ADDR            --slots-assign   --beg=ID --end=ID (--gid=ID|--offline) [--confirm]
            codis-admin [-v] --dashboard=ADDR            --slots-status
            codis-admin [-v] --dashboard=ADDR            --list-proxy
            codis-admin [-v] --dashboard=ADDR            --create-proxy   --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --online-proxy   --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --remove-proxy  (--addr=ADDR|--token=TOKEN|--pid=ID)       [--force]
            codis-admin [-v] --dashboard=ADDR            --reinit-proxy  (--addr=ADDR|--token=TOKEN|--pid=ID|--all) [--force]
            codis-admin [-v] --dashboard=ADDR            --proxy-status
            codis-admin [-v] --dashboard=ADDR            --list-group
            codis-admin [-v] --dashboard=ADDR            --create-group   --gid=ID
            codis-admin [-v] --dashboard=ADDR            --remove-group   --gid=ID
            codis-admin [-v] --dashboard=ADDR            --resync-group  [--gid=ID | --all]
            codis-admin [-v] --dashboard=ADDR            --group-add      --gid=ID --addr=ADDR [--datacenter=DATACENTER]
            codis-admin [-v] --dashboard=ADDR            --group-del      --gid=ID --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --group-status
            codis-admin [-v] --dashboard=ADDR            --replica-groups --gid=ID --addr=ADDR (--enable|--disable)
            codis-admin [-v] --dashboard=ADDR            --promote-server --gid=ID --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --sync-action    --create --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --sync-action    --remove --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --slot-action    --create --sid=ID --gid=ID
            codis-admin [-v] --dashboard=ADDR            --slot-action    --remove --sid=ID
            codis-admin [-v] --dashboard=ADDR            --slot-action    --create-some  --gid-from=ID --gid-to=ID --num-slots=N
            codis-admin [-v] --dashboard=ADDR            --slot-action    --create-range --beg=ID --end=ID --gid=ID
            codis-admin [-v] --dashboard=ADDR            --slot-action    --interval=VALUE
            codis-admin [-v] --dashboard=ADDR            --slot-action    --disabled=VALUE
            codis-admin [-v] --dashboard=ADDR            --rebalance     [--confirm]
            codis-admin [-v] --dashboard=ADDR            --sentinel-add   --addr=ADDR
            codis-admin [-v] --dashboard=ADDR            --sentinel-del   --addr=ADDR [--force]
            codis-admin [-v] --dashboard=ADDR            --sentinel-resync
            codis-admin [-v] --remove-lock               --product=NAME (--zookeeper=ADDR [--zookeeper-auth=USR:PWD]|--etcd=ADDR [--etcd-auth=USR:PWD]|--filesystem=ROOT)
            codis-admin [-v] --config-dump               --product=NAME (--zookeeper=ADDR [--zookeeper-auth=USR:PWD]|--etcd=ADDR [--etcd-auth=USR:PWD]|--filesystem=ROOT) [-1]
            codis-admin [-v] --config-convert=FILE
            codis-admin [-v] --config-restore=FILE       --product=NAME (--zookeeper=ADDR [--zookeeper-auth=USR:PWD]|--etcd=ADDR [--etcd-auth=USR:PWD]|--filesystem=ROOT) [--confirm]
            codis-admin [-v] --dashboard-list                           (--zookeeper=ADDR [--zookeeper-auth=USR:PWD]|--etcd=ADDR [--etcd-auth=USR:PWD]|--filesystem=ROOT)

        Options:
            -a AUTH, --auth=AUTH
            -x ADDR, --addr=ADDR
            -t TOKEN, --token=TOKEN
            -g ID, --gid=ID
        """;

    /// <summary>The lines printed when a command line matches no form: the <c>Usage:</c> section only, as docopt does.</summary>
    public static string UsageSection
    {
        get
        {
            int end = Text.IndexOf("\n\n", StringComparison.Ordinal);
            return end < 0 ? Text : Text[..end];
        }
    }
}
