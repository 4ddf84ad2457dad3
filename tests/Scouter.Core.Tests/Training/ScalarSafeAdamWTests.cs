using Scouter.Core.Compat;
using Scouter.Core.Tests.Support;
using Scouter.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Tests.Training;

/// <summary>
/// <see cref="ScalarSafeAdamW"/> is TorchSharp's <see cref="AdamW"/> bit for bit, and leaves no native scalar to the
/// finalizer, where TorchSharp's step leaves nine per parameter tensor.
/// </summary>
public sealed class ScalarSafeAdamWTests
{
    [Theory]
    [InlineData(false, false, 0.0)]
    [InlineData(false, false, 0.05)]
    [InlineData(true, false, 0.05)]
    [InlineData(false, true, 0.01)]
    [InlineData(true, true, 0.0)]
    public void Steps_MatchTorchSharpAdamW_BitForBit(bool amsgrad, bool maximize, double weightDecay)
    {
        using var ours = Model(seed: 3);
        using var theirs = Model(seed: 3);
        using var optimizer = new ScalarSafeAdamW(ours.parameters(), lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);
        using var reference = optim.AdamW(theirs.parameters(), lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);
        for (var step = 0; step < 6; step++)
        {
            using var input = Input(step);
            Step(ours, optimizer, input);
            Step(theirs, reference, input);
        }

        using var initial = Model(seed: 3);
        var ourParameters = ours.parameters().ToList();
        var theirParameters = theirs.parameters().ToList();
        var initialParameters = initial.parameters().ToList();
        for (var i = 0; i < ourParameters.Count; i++)
        {
            TensorAssert.Identical(ourParameters[i], theirParameters[i]).Should().BeTrue($"parameter {i} must be bit-identical");
            TensorAssert.Identical(ourParameters[i], initialParameters[i]).Should().BeFalse($"parameter {i} must have been trained");
        }

        // Same state too, so snapshots, checkpoints and --resume see no difference.
        var ourStates = optimizer.state_dict().State.Cast<AdamW.State>().ToList();
        var theirStates = reference.state_dict().State.Cast<AdamW.State>().ToList();
        ourStates.Should().HaveCount(theirStates.Count);
        for (var i = 0; i < ourStates.Count; i++)
        {
            ourStates[i].step.Should().Be(6);
            TensorAssert.Identical(ourStates[i].exp_avg, theirStates[i].exp_avg).Should().BeTrue();
            TensorAssert.Identical(ourStates[i].exp_avg_sq, theirStates[i].exp_avg_sq).Should().BeTrue();
            if (amsgrad)
            {
                TensorAssert.Identical(ourStates[i].max_exp_avg_sq, theirStates[i].max_exp_avg_sq).Should().BeTrue();
            }
        }
    }

    [Fact]
    public void AParameterWithoutGradient_IsLeftAlone()
    {
        using var model = Model(seed: 1);
        using var unused = new Parameter(ones(3));
        using var optimizer = new ScalarSafeAdamW(model.parameters().Append(unused), lr: 0.1, weight_decay: 0.5);
        using var input = Input(0);
        Step(model, optimizer, input);

        TensorAssert.Identical(unused, ones(3)).Should().BeTrue("no gradient, no update (not even weight decay), as in PyTorch");
        optimizer.state_dict().State.Cast<AdamW.State>().Last().step.Should().Be(0);
    }

    [Fact]
    public void Steps_LeaveNoScalarToTheFinalizer_WhereTorchSharpsLeaveNinePerParameter()
    {
        using var ours = Model(seed: 2);
        using var theirs = Model(seed: 2);
        using var optimizer = new ScalarSafeAdamW(ours.parameters(), lr: 1e-3, weight_decay: 1e-4);
        using var reference = optim.AdamW(theirs.parameters(), lr: 1e-3, weight_decay: 1e-4);
        using var input = Input(0);
        Backward(ours, input);
        Backward(theirs, input);
        optimizer.step(); // first steps outside the count
        reference.step();

        using (var listener = FinalizedScalars.Start())
        {
            StepOnly(reference, 2);
            listener.CountAfterCollection().Should().Be(2 * 9 * theirs.parameters().Count(), "the check must see what it is meant to catch");
        }

        using (var listener = FinalizedScalars.Start())
        {
            StepOnly(optimizer, 2);
            listener.CountAfterCollection().Should().Be(0);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void StepOnly(optim.Optimizer optimizer, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.step();
        }
    }

    private static nn.Module<Tensor, Tensor> Model(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 4));
    }

    private static Tensor Input(int step)
    {
        using var generator = new Generator((ulong)(100 + step));
        return randn([2, 2, 6, 6], generator: generator);
    }

    private static void Backward(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        model.call(input).pow(2).mean().backward();
    }

    private static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor input)
    {
        Backward(model, input);
        using var scope = NewDisposeScope();
        optimizer.step();
    }
}
