using System.Globalization;
using Codis.Dashboard.Slots;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    // The slot-action state of migration.md §3 (Go's s.action): interval and disabled live in memory only.
    private int _actionInterval;
    private volatile bool _actionDisabled;
    private volatile string _actionProgress = "";
    private int _actionExecutors;
    private SlotMigrator? _migrator;

    private SlotMigrator Migrator => LazyInitializer.EnsureInitialized(ref _migrator, () => new SlotMigrator(Config.ProductAuth));

    /// <summary>The executor settings from the config (config.md §2).</summary>
    internal MigrationSettings MigrationSettings => new()
    {
        Method = (MigrationMethod)Config.ForwardMethod,
        MaxBulks = (int)Config.MigrationAsyncMaxBulks,
        MaxBytes = Config.MigrationAsyncMaxBytes.Bytes,
        NumKeys = (int)Config.MigrationAsyncNumKeys,
        Timeout = Config.MigrationTimeout.ToTimeSpan(),
    };

    private void PublishSlotActionStats() => SlotActionStats = new SlotActionStats
    {
        Interval = Volatile.Read(ref _actionInterval),
        Disabled = _actionDisabled,
        Progress = new SlotActionProgress { Status = _actionProgress },
        Executor = Volatile.Read(ref _actionExecutors),
    };

    private void SetProgress(string status)
    {
        _actionProgress = status;
        PublishSlotActionStats();
    }

    /// <summary>
    /// One run of the slot-action loop (migration.md §3, <c>ProcessSlotAction</c>): rounds of up to
    /// <c>migration_parallel_slots</c> slots on pairwise disjoint groups, each advanced to <c>migrating</c> and
    /// then moved by its executor, until nothing is left. An error ends the run (the loop logs it and pauses 5 s).
    /// </summary>
    public async Task ProcessSlotActionAsync()
    {
        while (IsOnline)
        {
            var marks = new HashSet<int>();
            var plans = new List<int>();
            bool Accept(SlotMapping m) => !marks.Contains(m.GroupId) && !marks.Contains(m.Action.TargetId) && !plans.Contains(m.Id);
            void Update(SlotMapping m)
            {
                if (m.GroupId != 0)
                    marks.Add(m.GroupId);
                marks.Add(m.Action.TargetId);
                plans.Add(m.Id);
            }
            long parallel = Math.Max(1, Config.MigrationParallelSlots);
            while (plans.Count < parallel)
            {
                if (await SlotActionPrepareFilterAsync(Accept, Update).ConfigureAwait(false) is null)
                    break;
            }
            if (plans.Count == 0)
                return;
            var running = plans.Select(sid => Task.Run(() => ProcessSlotActionOneAsync(sid))).ToArray();
            Exception? first = null;
            foreach (Task t in running)
            {
                try
                {
                    await t.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    first ??= e;
                }
            }
            if (first is not null)
                throw first;
            await Task.Delay(10, Closing).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Picks the next action (started ones first) that <paramref name="accept"/> takes, marks it with
    /// <paramref name="update"/>, and advances it to <c>migrating</c> with the two-phase push (§3.1, §4).
    /// </summary>
    /// <returns>The slot id, or null when nothing can be picked.</returns>
    internal Task<int?> SlotActionPrepareFilterAsync(Func<SlotMapping, bool> accept, Action<SlotMapping> update) =>
        WithContextAsync<int?>(async ctx =>
        {
            SlotMapping? m = SlotActions.Pick(ctx.Slots, _actionDisabled, accept);
            if (m is null)
                return null;
            update(m);
            _logger.LogWarning("slot-[{Sid}] action prepare:\n{Mapping}", m.Id, Codis.Core.Json.CodisJson.Encode(m));
            string state = m.Action.State;
            if (state is ActionState.Pending or ActionState.Preparing or ActionState.Prepared)
            {
                // Before any proxy sends the slot's commands to the target (phase two), and before the slot is
                // locked: FCALL on its keys must find the libraries there. A slot coming from offline takes them
                // from another group.
                int source = m.GroupId != 0 ? m.GroupId : ctx.FunctionSourceGroup(m.Action.TargetId);
                await CopyFunctionsAsync(ctx, $"slot-[{m.Id}]", source, m.Action.TargetId).ConfigureAwait(false);
            }
            if (state == ActionState.Pending)
            {
                m = WithState(m, ActionState.Preparing);
                await StoreSlotAsync(ctx, m).ConfigureAwait(false);
                state = ActionState.Preparing;
            }
            if (state == ActionState.Preparing)
            {
                // Phase one: every proxy locks the slot (and drains it) before any proxy migrates on touch.
                _logger.LogWarning("slot-[{Sid}] resync to prepared", m.Id);
                SlotMapping prepared = WithState(m, ActionState.Prepared);
                try
                {
                    await ResyncSlotMappingsAsync(ctx, [prepared]).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ApiException or IOException or HttpRequestException)
                {
                    _logger.LogWarning("slot-[{Sid}] resync-rollback to preparing", m.Id);
                    try
                    {
                        await ResyncSlotMappingsAsync(ctx, [m]).ConfigureAwait(false);
                    }
                    catch (Exception again) when (again is ApiException or IOException or HttpRequestException)
                    {
                        _logger.LogWarning("slot-[{Sid}] resync-rollback to preparing failed: {Error}", m.Id, again.Message);
                    }
                    throw;
                }
                m = prepared;
                await StoreSlotAsync(ctx, m).ConfigureAwait(false);
                state = ActionState.Prepared;
            }
            if (state == ActionState.Prepared)
            {
                // Phase two: unlock with migrate_from set; a proxy that missed it stays locked until the retry.
                _logger.LogWarning("slot-[{Sid}] resync to migrating", m.Id);
                SlotMapping migrating = WithState(m, ActionState.Migrating);
                await ResyncSlotMappingsAsync(ctx, [migrating]).ConfigureAwait(false);
                m = migrating;
                await StoreSlotAsync(ctx, m).ConfigureAwait(false);
                state = ActionState.Migrating;
            }
            return state is ActionState.Migrating or ActionState.Finished ? m.Id
                : throw new ApiException($"slot-[{m.Id}] action state is invalid");
        });

    /// <summary>Runs the executor of one slot until the slot is empty, then completes it (§3.2); sets the progress.</summary>
    private async Task ProcessSlotActionOneAsync(int sid)
    {
        _logger.LogWarning("slot-[{Sid}] process action", sid);
        try
        {
            int db = 0;
            while (IsOnline)
            {
                Func<int, Task<(int Remaining, int NextDb)>>? exec = await NewSlotActionExecutorAsync(sid).ConfigureAwait(false);
                if (exec is null)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), Closing).ConfigureAwait(false);
                    continue;
                }
                (int remaining, int next) = await exec(db).ConfigureAwait(false);
                _logger.LogDebug("slot-[{Sid}] action executor {Remaining}", sid, remaining);
                if (remaining == 0 && next == -1)
                {
                    await SlotActionCompleteAsync(sid).ConfigureAwait(false);
                    break;
                }
                SetProgress(string.Create(CultureInfo.InvariantCulture, $"[OK] Slot[{sid:D4}]@DB[{db}]={remaining}"));
                int us = Volatile.Read(ref _actionInterval);
                if (us != 0)
                    await Task.Delay(TimeSpan.FromMicroseconds(us), Closing).ConfigureAwait(false);
                db = next;
            }
            SetProgress("");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SetProgress(string.Create(CultureInfo.InvariantCulture, $"[ERROR] Slot[{sid:D4}]: {e.Message}"));
            throw;
        }
    }

    /// <summary>
    /// The executor of one slot (§3.2 <c>executor(sid)</c>): null while actions are disabled or either group is
    /// promoting; for <c>finished</c> a call that reports the slot empty.
    /// </summary>
    private Task<Func<int, Task<(int Remaining, int NextDb)>>?> NewSlotActionExecutorAsync(int sid) =>
        WithContextAsync<Func<int, Task<(int Remaining, int NextDb)>>?>(ctx =>
        {
            SlotMapping m = ctx.GetSlotMapping(sid);
            switch (m.Action.State)
            {
                case ActionState.Migrating:
                    if (_actionDisabled || ctx.IsGroupPromoting(m.GroupId) || ctx.IsGroupPromoting(m.Action.TargetId))
                        return Task.FromResult<Func<int, Task<(int, int)>>?>(null);
                    string from = ctx.GetGroupMaster(m.GroupId);
                    string dest = ctx.GetGroupMaster(m.Action.TargetId);
                    MigrationSettings settings = MigrationSettings;
                    Interlocked.Increment(ref _actionExecutors);
                    PublishSlotActionStats();
                    return Task.FromResult<Func<int, Task<(int, int)>>?>(async db =>
                    {
                        try
                        {
                            return await Migrator.MigrateAsync(from, dest, sid, db, settings, Closing).ConfigureAwait(false);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _actionExecutors);
                            PublishSlotActionStats();
                        }
                    });
                case ActionState.Finished:
                    return Task.FromResult<Func<int, Task<(int, int)>>?>(_ => Task.FromResult((0, -1)));
                default:
                    throw new ApiException($"slot-[{sid}] action state is invalid");
            }
        });

    /// <summary>
    /// <c>SlotActionComplete</c> (§3.3): <c>migrating</c> → store <c>finished</c>, push the finished view to every
    /// proxy, then store the slot idle in its new group. A failed push leaves <c>finished</c> for the next round.
    /// </summary>
    internal Task<object> SlotActionCompleteAsync(int sid) => WithContextAsync(async ctx =>
    {
        SlotMapping m = ctx.GetSlotMapping(sid);
        _logger.LogWarning("slot-[{Sid}] action complete:\n{Mapping}", m.Id, Codis.Core.Json.CodisJson.Encode(m));
        if (m.Action.State == ActionState.Migrating)
        {
            m = WithState(m, ActionState.Finished);
            await StoreSlotAsync(ctx, m).ConfigureAwait(false);
        }
        if (m.Action.State != ActionState.Finished)
            throw new ApiException($"slot-[{sid}] action state is invalid");
        _logger.LogWarning("slot-[{Sid}] resync to finished", m.Id);
        await ResyncSlotMappingsAsync(ctx, [m]).ConfigureAwait(false);
        await StoreSlotAsync(ctx, new SlotMapping { Id = m.Id, GroupId = m.Action.TargetId }).ConfigureAwait(false);
    });

    private static SlotMapping WithState(SlotMapping m, string state) => m with { Action = m.Action with { State = state } };

    /// <summary>Closes the executor's pooled connections (on close).</summary>
    private async Task CloseMigratorAsync()
    {
        if (_migrator is not null)
            await _migrator.DisposeAsync().ConfigureAwait(false);
    }
}
