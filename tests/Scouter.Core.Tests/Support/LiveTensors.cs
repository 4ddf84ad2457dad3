using static TorchSharp.torch;

namespace Scouter.Core.Tests.Support;

public static class LiveTensors
{
    /// <summary>
    /// The live-tensor count once finalizers have run, so tensors other tests left to the GC
    /// are not counted as this test's allocations or frees.
    /// </summary>
    public static long Count()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return Tensor.TotalCount;
    }
}
