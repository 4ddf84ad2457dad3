using static TorchSharp.torch;

namespace Scouter.Core.Tests.Backbones;

/// <summary>
/// The closed-form weights of make_backbone_fixtures.py (fill_deterministic, deterministic_input), so a forward pass
/// can be compared with PyTorch's without shipping weights. Element j of the entry named n:
/// s = sin(0.37·seed(n) + 1.3·j) in float64, scaled by the kind of entry.
/// </summary>
public static class DeterministicWeights
{
    public static int Seed(string name)
    {
        long sum = 0;
        for (var k = 0; k < name.Length; k++)
        {
            sum += (k + 1) * (long)name[k];
        }

        return (int)(sum % 1000);
    }

    public static void Fill(nn.Module module)
    {
        using var noGrad = no_grad();
        var entries = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, b.buffer)));
        foreach (var (name, target) in entries)
        {
            if (!target.is_floating_point())
            {
                continue; // num_batches_tracked
            }

            using var scope = NewDisposeScope();
            var s = (arange(target.numel(), dtype: ScalarType.Float64) * 1.3 + 0.37 * Seed(name)).sin();
            Tensor value;
            if (target.dim() >= 2)
            {
                var fanIn = target.numel() / target.shape[0];
                value = s / Math.Sqrt(fanIn);
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                value = (s + 1.0) * 0.25 + 0.5;
            }
            else if (name.EndsWith("weight", StringComparison.Ordinal))
            {
                value = s * 0.2 + 1.0;
            }
            else
            {
                value = s * 0.1;
            }

            target.copy_(value.to(target.dtype).reshape(target.shape));
        }
    }

    /// <summary>x[j] = sin(0.11·j) over the flat index, float64 then float32.</summary>
    public static Tensor Input(params long[] shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        using var scope = NewDisposeScope();
        return (arange(count, dtype: ScalarType.Float64) * 0.11).sin().to(ScalarType.Float32).reshape(shape).MoveToOuterDisposeScope();
    }
}
