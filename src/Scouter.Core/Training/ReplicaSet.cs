// The replicas of torch.nn.DataParallel (torch/nn/parallel/replicate.py): one copy of the model per device, with
// parameters AND buffers taken from the module on the first device before every forward pass.
using Scouter.Core.Compat;
using Scouter.Core.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// One <see cref="ScouterModel"/> per device: the model being trained on the first device, and deep copies on the
/// others. <see cref="Broadcast"/> copies the main model's parameters and buffers (BatchNorm running statistics
/// included) to the copies; <see cref="ReduceGradients"/> adds their gradients to the main model's.
/// </summary>
/// <remarks>
/// TorchSharp cannot clone a module, so the copies come from a factory that builds the same architecture; their
/// initial values are discarded (the factory runs with the global random generator saved and restored, so adding
/// replicas does not change the random numbers the run draws afterwards). Names and shapes must match the main
/// model's exactly. The copies keep the main model's <c>requires_grad</c> flags (frozen layers stay frozen) and must
/// not be moved to another device afterwards. Disposing the set disposes the copies, not the main model.
/// </remarks>
internal sealed class ReplicaSet : IDisposable
{
    private readonly List<ScouterModel> models;
    private readonly List<List<Parameter>> parameters;
    private readonly List<List<Tensor>> buffers;

    private ReplicaSet(List<ScouterModel> models, IReadOnlyList<Device> devices)
    {
        this.models = models;
        Devices = devices;
        parameters = models.Select(m => m.named_parameters().Select(p => p.parameter).ToList()).ToList();
        buffers = models.Select(m => m.named_buffers().Select(b => b.buffer).ToList()).ToList();
    }

    /// <summary>Moves <paramref name="main"/> to <c>devices[0]</c> and builds one copy of it on each further device.</summary>
    /// <param name="main">The model being trained; it stays the caller's.</param>
    /// <param name="devices">The devices, at least one (see <see cref="ComputeDevice.ResolveAll"/>).</param>
    /// <param name="factory">Builds a new model of the same architecture (called once per further device).</param>
    /// <exception cref="ArgumentException">A model built by <paramref name="factory"/> differs from <paramref name="main"/>; the message names the first difference.</exception>
    public static ReplicaSet Create(ScouterModel main, IReadOnlyList<Device> devices, Func<ScouterModel> factory)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(factory);
        if (devices.Count == 0)
        {
            throw new ArgumentException("At least one device is needed.", nameof(devices));
        }

        main.to(devices[0]);
        var models = new List<ScouterModel> { main };
        try
        {
            using var rngState = random.get_rng_state();
            try
            {
                for (var i = 1; i < devices.Count; i++)
                {
                    var replica = factory() ?? throw new ArgumentException("The replica factory returned null.", nameof(factory));
                    models.Add(replica);
                    CheckSameArchitecture(main, replica);
                    replica.to(devices[i]);
                }
            }
            finally
            {
                random.set_rng_state(rngState);
            }

            var set = new ReplicaSet(models, devices.ToList());
            set.MirrorRequiresGrad();
            set.Broadcast();
            return set;
        }
        catch
        {
            foreach (var replica in models.Skip(1))
            {
                replica.Dispose();
            }

            throw;
        }
    }

    /// <summary>Number of replicas, the main model included.</summary>
    public int Count => models.Count;

    /// <summary>The device of each replica; the first is the main model's.</summary>
    public IReadOnlyList<Device> Devices { get; }

    /// <summary>The replica on <c>Devices[index]</c>; index 0 is the main model.</summary>
    /// <param name="index">Replica index.</param>
    public ScouterModel this[int index] => models[index];

    /// <summary>Copies the main model's parameters and buffers into every other replica (DataParallel's re-broadcast from module[0]).</summary>
    public void Broadcast()
    {
        using var noGrad = no_grad();
        for (var r = 1; r < models.Count; r++)
        {
            CopyAll(parameters[0], parameters[r]);
            CopyAll(buffers[0], buffers[r]);
        }
    }

    /// <summary>Sets every replica other than the main one to training or evaluation mode.</summary>
    /// <param name="training">Training mode (true) or evaluation mode.</param>
    public void SetTraining(bool training)
    {
        for (var r = 1; r < models.Count; r++)
        {
            models[r].train(training);
        }
    }

    /// <summary>Clears the gradients of every replica other than the main one (the optimizer clears the main model's).</summary>
    public void ZeroReplicaGradients()
    {
        for (var r = 1; r < models.Count; r++)
        {
            models[r].zero_grad();
        }
    }

    /// <summary>Adds the gradients of replicas <c>1 … used − 1</c> to the main model's parameters.</summary>
    /// <param name="used">How many replicas took part in the step (a batch smaller than <see cref="Count"/> uses fewer).</param>
    public void ReduceGradients(int used)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var j = 0; j < parameters[0].Count; j++)
        {
            if (!parameters[0][j].requires_grad || parameters[0][j].grad is not { } total)
            {
                continue;
            }

            for (var r = 1; r < used; r++)
            {
                if (parameters[r][j].grad is { } part)
                {
                    total.PlusInPlace(part.to(total.device)); // add_(Tensor) alone would pass its own implicit alpha
                }
            }
        }
    }

    /// <summary>Disposes the replicas other than the main model.</summary>
    public void Dispose()
    {
        foreach (var replica in models.Skip(1))
        {
            replica.Dispose();
        }
    }

    private void MirrorRequiresGrad()
    {
        for (var r = 1; r < models.Count; r++)
        {
            for (var j = 0; j < parameters[0].Count; j++)
            {
                parameters[r][j].requires_grad_(parameters[0][j].requires_grad);
            }
        }
    }

    private static void CopyAll(IReadOnlyList<Tensor> from, IReadOnlyList<Tensor> to)
    {
        for (var j = 0; j < from.Count; j++)
        {
            to[j].copy_(from[j]);
        }
    }

    private static void CheckSameArchitecture(ScouterModel main, ScouterModel replica)
    {
        static List<(string Name, string Shape)> Describe(ScouterModel model) =>
            model.named_parameters().Select(p => (p.name, string.Join('x', p.parameter.shape)))
                .Concat(model.named_buffers().Select(b => (b.name, string.Join('x', b.buffer.shape)))).ToList();

        var expected = Describe(main);
        var found = Describe(replica);
        for (var i = 0; i < Math.Max(expected.Count, found.Count); i++)
        {
            var e = i < expected.Count ? $"{expected[i].Name} [{expected[i].Shape}]" : "nothing";
            var f = i < found.Count ? $"{found[i].Name} [{found[i].Shape}]" : "nothing";
            if (e != f)
            {
                throw new ArgumentException($"The replica factory built a model that differs from the one being trained: entry {i} should be {e}, found {f}. It must build the same backbone and head.", "factory");
            }
        }
    }
}
