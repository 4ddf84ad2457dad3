using System.Diagnostics.Tracing;
using TorchSharp;

namespace Scouter.Core.Tests.Support;

/// <summary>
/// Counts the TorchSharp <see cref="Scalar"/>s that reach the finalizer, i.e. were never disposed, while it listens:
/// the runtime's <c>FinalizeObject</c> event names each finalized object's type. Tests do not run in parallel
/// (AssemblyInfo), so what is counted was left behind by the code under test.
/// </summary>
public sealed class FinalizedScalars : EventListener
{
    private static readonly nint ScalarType = typeof(Scalar).TypeHandle.Value;
    private static readonly nint SentinelType = typeof(Sentinel).TypeHandle.Value;

    private int scalars;
    private int sentinels;
    private bool listening;

    /// <summary>Starts counting, after finalizing whatever earlier code left behind.</summary>
    public static FinalizedScalars Start()
    {
        CollectAndFinalize();
        var listener = new FinalizedScalars();
        listener.listening = true;
        return listener;
    }

    /// <summary>
    /// Collects, runs finalizers, and waits until the runtime has delivered their events (a sentinel object finalized
    /// last is seen), then returns how many scalars were finalized since <see cref="Start"/>.
    /// </summary>
    public int CountAfterCollection()
    {
        // The sentinel is finalized after every scalar (a later collection, the same finalizer thread), so once its
        // event has arrived, theirs have too. The runtime delivers its events through a buffer that can drop some
        // when a test allocates heavily on a busy machine (two test projects running at once, say): a sentinel
        // whose event does not come is replaced by a new one, up to five times.
        CollectAndFinalize();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var seen = Volatile.Read(ref sentinels);
            MakeSentinel();
            CollectAndFinalize();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref sentinels) == seen && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            if (Volatile.Read(ref sentinels) != seen)
            {
                return Volatile.Read(ref scalars);
            }
        }

        throw new TimeoutException("The runtime reported none of five sentinels' finalization within 10 s each.");
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword; FinalizeObject is verbose
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!listening || eventData.EventName != "FinalizeObject" || eventData.Payload is not { Count: > 0 } payload || payload[0] is not IntPtr type)
        {
            return;
        }

        if (type == ScalarType)
        {
            Interlocked.Increment(ref scalars);
        }
        else if (type == SentinelType)
        {
            Interlocked.Increment(ref sentinels);
        }
    }

    private static void CollectAndFinalize()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void MakeSentinel() => _ = new Sentinel();

    private sealed class Sentinel
    {
        ~Sentinel()
        {
        }
    }
}
