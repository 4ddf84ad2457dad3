// torch.nn.DataParallel (torch/nn/parallel/data_parallel.py) for TorchSharp, which has no torch.distributed: the
// batch is scattered along dim 0 in torch.chunk sizes, every replica runs forward and backward on its own thread,
// and the gradients meet on the first device, where the one optimizer steps.
using System.Runtime.ExceptionServices;
using Scouter.Core.Internal;
using Scouter.Core.Losses;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// In-process data parallelism over several devices with the semantics of <c>torch.nn.DataParallel</c>: one
/// replica of the model per device (<see cref="ReplicaSet"/>), each batch split along dim 0, the replicas run
/// concurrently (one task per replica), gradients summed onto the main model, which the caller's optimizer then steps.
/// </summary>
/// <remarks>
/// <para>The loss is exact: each replica back-propagates its weighted share of the SCOUTER loss (its NLL and area
/// parts are batch means, and the area's power is linearised at the whole batch's mean attention), so the summed
/// gradient equals the single-device gradient of the whole batch for a model without BatchNorm, and the reported
/// loss, NLL, area and accuracy are the whole batch's.</para>
/// <para>BatchNorm, as in DataParallel, normalises each replica's chunk with that chunk's statistics, and only the main
/// replica's running statistics survive (every step starts by re-broadcasting parameters and buffers from it).
/// A BatchNorm model therefore trains slightly differently from a single-device run of the same batch size.</para>
/// <para>Each replica's thread opens its own dispose scope and sets its own gradient mode: both are thread-local
/// (TorchSharp's dispose scopes are thread-static, LibTorch's grad mode is thread-local), so a caller's
/// <c>no_grad()</c> does not reach the replica threads by itself.</para>
/// </remarks>
public sealed class DataParallel : IDisposable
{
    private readonly ReplicaSet replicas;
    private readonly ScouterLoss loss;

    private DataParallel(ReplicaSet replicas, ScouterLoss loss)
    {
        this.replicas = replicas;
        this.loss = loss;
    }

    /// <summary>Replicates <paramref name="model"/> onto <paramref name="devices"/> (the model itself goes to the first).</summary>
    /// <param name="model">The model being trained; its optimizer steps its parameters.</param>
    /// <param name="loss">The SCOUTER loss.</param>
    /// <param name="devices">Two or more devices (the same device may repeat, e.g. <c>cpu,cpu</c>).</param>
    /// <param name="replicaFactory">Builds a new model of the same architecture; see <see cref="ReplicaSet.Create"/>.</param>
    public static DataParallel Create(ScouterModel model, ScouterLoss loss, IReadOnlyList<Device> devices, Func<ScouterModel> replicaFactory)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return new DataParallel(ReplicaSet.Create(model, devices, replicaFactory), loss);
    }

    /// <summary>The replicas; index 0 is the model being trained.</summary>
    internal ReplicaSet Replicas => replicas;

    /// <summary>
    /// The chunk sizes torch's scatter gives a batch of <paramref name="batch"/> over <paramref name="parts"/> devices:
    /// <c>torch.chunk</c>'s, chunks of <c>⌈batch / parts⌉</c> with a smaller last one, so fewer than
    /// <paramref name="parts"/> chunks when the batch is small (10 over 4 → 3, 3, 3, 1; 5 over 4 → 2, 2, 1).
    /// </summary>
    /// <param name="batch">Images in the batch (≥ 1).</param>
    /// <param name="parts">Devices (≥ 1).</param>
    public static IReadOnlyList<long> ChunkSizes(long batch, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1L);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        var chunk = (batch + parts - 1) / parts;
        var sizes = new List<long>();
        for (var start = 0L; start < batch; start += chunk)
        {
            sizes.Add(Math.Min(chunk, batch - start));
        }

        return sizes;
    }

    /// <summary>
    /// Runs one batch over the replicas. Training: after it returns, the main model's gradients are the whole batch's
    /// (added to what they held; clear them first with the optimizer), ready for one optimizer step. Evaluation: no
    /// gradients, no graph. Replicas are put in the given mode and re-synchronised from the main model first.
    /// </summary>
    /// <param name="images">Images <c>[B, C, H, W]</c> on any device.</param>
    /// <param name="labels">Labels <c>[B]</c>.</param>
    /// <param name="training">Training step (forward and backward) or evaluation (forward only).</param>
    /// <returns>The whole batch's loss, parts and accuracy.</returns>
    internal StepMetrics Run(Tensor images, Tensor labels, bool training)
    {
        TensorChecks.Rank(images, 4, nameof(DataParallel), "images [B, channels, H, W]", nameof(images));
        TensorChecks.Rank(labels, 1, nameof(DataParallel), $"labels [B = {images.shape[0]}]", nameof(labels));
        if (labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"{nameof(DataParallel)} expects one label per image: [B = {images.shape[0]}]; got {TensorChecks.Describe(labels)}.", nameof(labels));
        }

        using var scope = NewDisposeScope();
        var batch = images.shape[0];
        var sizes = ChunkSizes(batch, replicas.Count);
        replicas[0].train(training);
        replicas.SetTraining(training);
        replicas.Broadcast();
        if (training)
        {
            replicas.ZeroReplicaGradients();
        }

        var imageChunks = images.split(sizes.ToArray());
        var labelChunks = labels.split(sizes.ToArray());
        var shards = new Shard?[sizes.Count];
        try
        {
            RunConcurrently(sizes.Count, r => shards[r] = Forward(r, imageChunks[r], labelChunks[r], training));
            var parts = shards.Select((s, r) => ((double)sizes[r] / batch, s!.Nll, s.AttentionMean)).ToList();
            var (total, nll, area, coefficient) = ShardedScouterLoss.Combine(loss, parts);
            if (training)
            {
                RunConcurrently(sizes.Count, r => Backward(shards[r]!, parts[r].Item1, coefficient));
                replicas.ReduceGradients(sizes.Count);
            }

            return new StepMetrics(total, nll, area, (double)shards.Sum(s => s!.Correct) / batch, batch);
        }
        finally
        {
            foreach (var shard in shards)
            {
                shard?.Dispose();
            }
        }
    }

    /// <summary>Disposes the replicas (not the main model).</summary>
    public void Dispose() => replicas.Dispose();

    private Shard Forward(int r, Tensor images, Tensor labels, bool training)
    {
        using var gradMode = training ? enable_grad() : no_grad();
        using var scope = NewDisposeScope();
        var device = replicas.Devices[r];
        var y = labels.to(device);
        var output = replicas[r].ForwardDetailed(images.to(device));
        var (nll, attentionMean) = loss.Parts(output, y);
        var correct = output.Scores.argmax(1).eq(y).sum().to(ScalarType.Float64);
        var values = stack([nll.detach().to(ScalarType.Float64), attentionMean?.detach().to(ScalarType.Float64) ?? zeros([], ScalarType.Float64, device), correct]).cpu().data<double>().ToArray();

        // The graph lives on in the two tensors the backward pass needs; this thread's scope must not take them.
        return training
            ? new Shard(values[0], attentionMean is null ? null : values[1], (long)values[2], nll.DetachFromDisposeScope(), attentionMean?.DetachFromDisposeScope())
            : new Shard(values[0], attentionMean is null ? null : values[1], (long)values[2], null, null);
    }

    private static void Backward(Shard shard, double weight, double coefficient)
    {
        using var scope = NewDisposeScope();
        ShardedScouterLoss.Surrogate(shard.NllTensor!, shard.AttentionMeanTensor, weight, coefficient).backward();
    }

    // One task per replica; the first failure is rethrown as itself, after every task has finished.
    private static void RunConcurrently(int count, Action<int> body)
    {
        if (count == 1)
        {
            body(0);
            return;
        }

        var tasks = Enumerable.Range(0, count).Select(r => Task.Run(() => body(r))).ToArray();
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    private sealed record Shard(double Nll, double? AttentionMean, long Correct, Tensor? NllTensor, Tensor? AttentionMeanTensor) : IDisposable
    {
        public void Dispose()
        {
            NllTensor?.Dispose();
            AttentionMeanTensor?.Dispose();
        }
    }
}
