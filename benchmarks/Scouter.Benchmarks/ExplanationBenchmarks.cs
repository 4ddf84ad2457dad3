using BenchmarkDotNet.Attributes;
using Scouter.Harness;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Benchmarks;

/// <summary>
/// Explanation maps for all n classes of a batch (resnet18, MNIST stem, 260 px, batch 8): SCOUTER's come out of one
/// eval forward (<c>HeadOutput.ClassMaps</c>); Grad-CAM's need a forward with gradients kept, then for each class the
/// gradient of that class's score w.r.t. the last feature map <c>A</c>, channel weights = spatial mean of that
/// gradient, map = ReLU(Σ<sub>c</sub> w<sub>c</sub>·A<sub>c</sub>). Grad-CAM runs on the FC baseline, as in the
/// paper. Two Grad-CAM variants: one backward per class (how Grad-CAM is usually run), and a batched form that
/// gets every class's gradient from one backward of the head over <c>A</c> replicated n times (a lower bound).
/// All three return maps <c>[B, n, h, w]</c> at feature-map resolution.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class ExplanationBenchmarks
{
    private TrainingWorkload? scouter;
    private TrainingWorkload? fc;

    [Params(10, 100)]
    public int Classes { get; set; } = 10;

    [GlobalSetup]
    public void Setup()
    {
        scouter = Create(useSlot: true);
        fc = Create(useSlot: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        scouter?.Dispose();
        fc?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long ScouterMapsAllClasses()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var output = scouter!.Model.ForwardDetailed(scouter.Images);
        return output.ClassMaps!.shape[1];
    }

    [Benchmark]
    public long GradCamAllClassesPerClassBackward()
    {
        using var scope = NewDisposeScope();
        var model = fc!.Model;
        var features = model.Backbone.call(fc.Images); // A [B, C, h, w], in the graph
        using var output = model.Head.ForwardDetailed(features);
        var maps = new List<Tensor>(Classes);
        for (var c = 0; c < Classes; c++)
        {
            // Images are independent in eval mode, so d(Σ_b score[b, c]) / dA[b] = d score[b, c] / dA[b].
            var gradient = torch.autograd.grad([output.Scores[.., c].sum()], [features], retain_graph: c < Classes - 1)[0];
            maps.Add(CamFrom(gradient, features));
        }

        return stack(maps, 1).shape[1];
    }

    [Benchmark]
    public long GradCamAllClassesBatched()
    {
        using var scope = NewDisposeScope();
        var model = fc!.Model;
        Tensor features;
        using (no_grad())
        {
            features = model.Backbone.call(fc.Images); // the gradient w.r.t. A depends only on the head
        }

        long batch = features.shape[0], channels = features.shape[1], height = features.shape[2], width = features.shape[3];
        var replicated = features.unsqueeze(0).expand(Classes, -1, -1, -1, -1).contiguous().requires_grad_(true);
        using var output = model.Head.ForwardDetailed(replicated.view(Classes * batch, channels, height, width));
        var own = output.Scores.view(Classes, batch, Classes).diagonal(0, 0, 2); // [B, n]: block k's score of class k
        own.sum().backward();
        var weights = replicated.grad!.mean([3L, 4L], keepdim: true); // [n, B, C, 1, 1]
        var maps = nn.functional.relu(weights.mul(features.unsqueeze(0)).sum(2)); // [n, B, h, w]
        return maps.permute(1, 0, 2, 3).contiguous().shape[1];
    }

    private static Tensor CamFrom(Tensor gradient, Tensor features)
    {
        var weights = gradient.mean([2L, 3L], keepdim: true); // [B, C, 1, 1]
        return nn.functional.relu(weights.mul(features.detach()).sum(1)); // [B, h, w]
    }

    private TrainingWorkload Create(bool useSlot)
    {
        var options = TrainingBenchmarkOptions.Preset("mnist260");
        options.NumClasses = Classes;
        options.UseSlot = useSlot;
        options.Threads = BenchmarkThreads.Requested;
        var workload = new TrainingWorkload(options);
        workload.Model.eval();
        return workload;
    }
}
