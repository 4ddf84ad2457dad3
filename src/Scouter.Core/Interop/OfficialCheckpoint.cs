// Checkpoints of the official SCOUTER code (github.com/wbw520/scouter, train.py; docs/official-implementation.md §1 "State-dict
// names", §4 use_pre, §5 checkpoint content), read and written without Python.
using Scouter.Core.Interop.Pickle;
using Scouter.Core.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// An official SCOUTER checkpoint (<c>{dataset}_…checkpoint.pth</c>): the model's state dict with official names,
/// the optimizer and learning-rate scheduler states, the epoch and the training flags. Also reads a bare state
/// dict. Disposing it disposes every tensor it holds. <see cref="CheckpointSettings.Read(OfficialCheckpoint)"/> says what
/// model it holds, and <see cref="TrainedModel.Load"/> builds that model with its preprocessing.
/// </summary>
/// <remarks>
/// Name mapping between the official model and <see cref="ScouterModel"/>:
/// <list type="bullet">
/// <item>xSlot: identical names, except the official <c>slot.to_q.0.weight</c> / <c>.bias</c>, a query projection the
/// official forward pass never uses. It is dropped on import and re-created on export (PyTorch's default
/// <c>Linear</c> initialisation, seeded) so the official <c>SlotModel</c> loads the export with <c>strict=True</c>.</item>
/// <item>FC baseline: the official model keeps the classifier inside the timm/torchvision backbone
/// (<c>backbone.fc.*</c>); <see cref="ScouterModel"/> with <see cref="FcClassifierHead"/> has it at the top level
/// (<c>fc.*</c>). Import and export rename between the two.</item>
/// <item>A <c>module.</c> prefix (a state dict saved from a <c>DataParallel</c> or <c>DistributedDataParallel</c> wrapper)
/// is removed on import.</item>
/// </list>
/// <para>
/// The optimizer and scheduler states are kept as PyTorch wrote them, so a checkpoint read and written again keeps
/// them, but they are not public here: they are PyTorch's AdamW and StepLR state dicts, keyed by the optimizer's
/// parameter positions, and mean something only together with the model's parameter order. Typed, they are read
/// with <see cref="Training.OfficialCheckpointStore.Load"/>: <see cref="Training.TrainingCheckpoint.Optimizer"/> (the
/// AdamW moments and steps, an <see cref="Training.AdamWSnapshot"/>) and <see cref="Training.TrainingCheckpoint.Schedule"/>
/// (learning rate, weight decay, StepLR), which <see cref="Training.Trainer"/> resumes from.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var checkpoint = OfficialCheckpoint.Read("CUB200_use_slot_checkpoint.pth");
/// var options = checkpoint.Args.ToHeadOptions();
/// using var model = ScouterModel.Create(MyBackbone(), XSlotClassifier.Create(options));
/// checkpoint.LoadInto(model);                      // strict: throws listing every difference
/// OfficialCheckpoint.Write("export.pth", model, checkpoint.Args, epoch: checkpoint.Epoch ?? 0);
/// </code>
/// </example>
public sealed class OfficialCheckpoint : IDisposable
{
    private const string ToQPrefix = "slot.to_q.";
    private const string OfficialFcPrefix = "backbone.fc.";
    private const string FcPrefix = "fc.";
    private const string BackbonePrefix = "backbone.";

    // A state dict saved from a DataParallel/DistributedDataParallel wrapper rather than model_without_ddp (which the
    // official train.py saves) has every key under "module."; no ScouterModel key starts so, so stripping is safe.
    private const string WrapperPrefix = "module.";

    private readonly PyTorchFile? file;

    private OfficialCheckpoint(string path, StateDict model, OfficialArgs args, long? epoch, PickleDict? optimizer, PickleDict? lrScheduler, PyTorchFile? file)
    {
        FilePath = path;
        Model = model;
        Args = args;
        Epoch = epoch;
        Optimizer = optimizer;
        LrScheduler = lrScheduler;
        this.file = file;
    }

    /// <summary>The file that was read.</summary>
    public string FilePath { get; }

    /// <summary>The model's state dict, with the official names (<c>backbone.*</c>, <c>conv1x1.*</c>, <c>slot.*</c> or <c>backbone.fc.*</c>).</summary>
    public StateDict Model { get; }

    /// <summary>The training flags (<see cref="OfficialArgs.Empty"/> when the file has none).</summary>
    public OfficialArgs Args { get; }

    /// <summary>The last finished epoch, when the file records one.</summary>
    public long? Epoch { get; }

    // The optimizer's and scheduler's PyTorch state dicts as read, or null when the file holds none (or something
    // that is no state dict, which OfficialCheckpointStore then reports); their tensors belong to this checkpoint.
    internal PickleDict? Optimizer { get; }

    internal PickleDict? LrScheduler { get; }

    // Another top-level entry of the checkpoint dict (one the official code does not write), or null.
    internal object? GetExtra(string key) =>
        file?.Root is PickleDict root && key is not ("model" or "optimizer" or "lr_scheduler" or "epoch" or "args") && root.TryGetValue(key, out var value) ? value : null;

    /// <summary>Reads an official checkpoint (a dict with <c>model</c>, and usually <c>optimizer</c>, <c>lr_scheduler</c>, <c>epoch</c>, <c>args</c>) or a bare state dict.</summary>
    /// <param name="path">A torch.save file (or a safetensors file, read as a bare state dict).</param>
    /// <exception cref="CheckpointFormatException">The file is not a torch.save or safetensors file, or holds neither shape.</exception>
    public static OfficialCheckpoint Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (SafeTensors.LooksLikeSafeTensors(path))
        {
            return new OfficialCheckpoint(path, SafeTensors.Read(path), OfficialArgs.Empty, null, null, null, null);
        }

        var file = PyTorchFormat.Read(path);
        try
        {
            if (file.Root is not PickleDict root)
            {
                throw new CheckpointFormatException(path, $"expected a checkpoint dict (model, optimizer, lr_scheduler, epoch, args) or a state dict; found a {PickleValues.Describe(file.Root)}.");
            }

            if (!root.TryGetValue("model", out var modelValue))
            {
                return new OfficialCheckpoint(path, file.TakeStateDict(root), OfficialArgs.Empty, null, null, null, file);
            }

            if (modelValue is not PickleDict modelDict)
            {
                throw new CheckpointFormatException(path, $"the checkpoint's 'model' should be a state dict; found a {PickleValues.Describe(modelValue)}.");
            }

            var model = file.TakeStateDict(modelDict, "the checkpoint's 'model'");
            var args = root.TryGetValue("args", out var argsValue) ? ReadArgs(path, argsValue) : OfficialArgs.Empty;
            var epoch = root.TryGetValue("epoch", out var epochValue) ? PickleValues.AsInt64(epochValue) : null;
            return new OfficialCheckpoint(path, model, args, epoch, root.GetValueOrDefault("optimizer") as PickleDict, root.GetValueOrDefault("lr_scheduler") as PickleDict, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the model part into a <see cref="ScouterModel"/>, mapping the official names (strips a DDP <c>module.</c>
    /// prefix; drops <c>slot.to_q.*</c>; renames <c>backbone.fc.*</c> to <c>fc.*</c> for an FC head).
    /// </summary>
    /// <param name="model">The model, built with the same backbone and head hyper-parameters.</param>
    /// <param name="options">Strictness and extra key transforms (applied after the official mapping); strict when null.</param>
    /// <exception cref="StateDictMismatchException">Strict and some entry differs; the message lists all.</exception>
    public StateDictLoadReport LoadInto(ScouterModel model, StateDictLoadOptions? options = null) => LoadInto(model, Model, options);

    /// <summary>Loads an official-format state dict into a <see cref="ScouterModel"/>, as <see cref="LoadInto(ScouterModel, StateDictLoadOptions?)"/> does.</summary>
    /// <param name="model">The model.</param>
    /// <param name="officialStateDict">A state dict with official names.</param>
    /// <param name="options">Strictness and extra key transforms (applied after the official mapping); strict when null.</param>
    public static StateDictLoadReport LoadInto(ScouterModel model, IReadOnlyDictionary<string, Tensor> officialStateDict, StateDictLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(officialStateDict);
        var transforms = new List<Func<string, string?>> { StateDictKeyTransforms.StripPrefix(WrapperPrefix), StateDictKeyTransforms.DropPrefix(ToQPrefix) };
        if (model.Head is FcClassifierHead)
        {
            transforms.Add(StateDictKeyTransforms.ReplacePrefix(OfficialFcPrefix, FcPrefix));
        }

        return StateDictLoader.Load(model, officialStateDict, Combine(transforms, options));
    }

    /// <summary>
    /// <c>use_pre</c> (docs/official-implementation.md §4): initialises a backbone from this FC-baseline checkpoint: takes the entries
    /// under <c>backbone.</c>, strips the prefix, drops the classifier (<c>fc.*</c>) and loads the rest strictly.
    /// </summary>
    /// <param name="backbone">The backbone module (e.g. <see cref="ScouterModel.Backbone"/> of the SCOUTER model to train).</param>
    /// <returns>The load report (every backbone entry loaded).</returns>
    /// <exception cref="StateDictMismatchException">The backbones differ; the message lists every difference.</exception>
    public StateDictLoadReport LoadBackboneInto(nn.Module backbone) => LoadBackbone(backbone, Model);

    /// <summary><c>use_pre</c> from a file: reads an official <c>{dataset}_no_slot_checkpoint.pth</c> (or one of ours) and initialises <paramref name="model"/>'s backbone from it.</summary>
    /// <param name="model">The SCOUTER model whose backbone to initialise.</param>
    /// <param name="fcCheckpointPath">The FC baseline's checkpoint or state dict.</param>
    /// <returns>The load report.</returns>
    public static StateDictLoadReport LoadPretrainedBackbone(ScouterModel model, string fcCheckpointPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var checkpoint = Read(fcCheckpointPath);
        return checkpoint.LoadBackboneInto(model.Backbone);
    }

    /// <summary>
    /// <c>use_pre</c> from a state dict: loads the entries under <c>backbone.</c> (or <c>module.backbone.</c>; prefix stripped, <c>fc.*</c> dropped)
    /// strictly into <paramref name="backbone"/>.
    /// </summary>
    /// <param name="backbone">The backbone module.</param>
    /// <param name="modelStateDict">A whole model's state dict (official or ours).</param>
    public static StateDictLoadReport LoadBackbone(nn.Module backbone, IReadOnlyDictionary<string, Tensor> modelStateDict)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        return StateDictLoader.Load(backbone, modelStateDict, new StateDictLoadOptions
        {
            KeyTransforms = [StateDictKeyTransforms.StripPrefix(WrapperPrefix), StateDictKeyTransforms.SelectPrefix(BackbonePrefix), StateDictKeyTransforms.DropPrefix(FcPrefix)],
        });
    }

    /// <summary>
    /// The model's state dict with the official names: for an xSlot head, <c>slot.to_q.0.weight [d, d]</c> and
    /// <c>slot.to_q.0.bias [d]</c> are added (uniform in ±1/√d like PyTorch's default <c>Linear</c> initialisation,
    /// drawn from a generator seeded with <paramref name="toQSeed"/>; the official forward pass never reads them);
    /// for an FC head, <c>fc.*</c> becomes <c>backbone.fc.*</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="toQSeed">Seed of the unused query projection's values, so exports are reproducible.</param>
    /// <returns>CPU copies the caller owns.</returns>
    public static StateDict ExportStateDict(ScouterModel model, long toQSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = StateDict.FromModule(model);
        try
        {
            switch (model.Head)
            {
                case XSlotClassifier xslot:
                {
                    var d = xslot.HiddenDim;
                    var bound = 1.0 / Math.Sqrt(d);
                    using var generator = new Generator((ulong)toQSeed);
                    using var scope = NewDisposeScope();
                    var weight = (rand([d, d], generator: generator) * (2 * bound) - bound).DetachFromDisposeScope();
                    var bias = (rand([d], generator: generator) * (2 * bound) - bound).DetachFromDisposeScope();
                    var before = result.Keys.FirstOrDefault(k => k.StartsWith("slot.to_k.", StringComparison.Ordinal)) ?? "";
                    result.Insert(ToQPrefix + "0.weight", weight, before);
                    result.Insert(ToQPrefix + "0.bias", bias, before);
                    break;
                }

                case FcClassifierHead:
                    foreach (var key in result.Keys.Where(k => k.StartsWith(FcPrefix, StringComparison.Ordinal)).ToList())
                    {
                        result.Rename(key, OfficialFcPrefix + key[FcPrefix.Length..]);
                    }

                    break;
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes an official-format checkpoint that the official <c>train.py</c> resumes from and the official model
    /// loads with <c>strict=True</c>: <c>model</c> (from <see cref="ExportStateDict"/>), then <c>optimizer</c> and
    /// <c>lr_scheduler</c> when given, <c>epoch</c>, and <c>args</c> as an <c>argparse.Namespace</c> when given. Atomic.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="model">The model.</param>
    /// <param name="args">Training flags (e.g. <see cref="OfficialArgs.FromOptions"/>); omitted when null.</param>
    /// <param name="epoch">The last finished epoch.</param>
    /// <param name="toQSeed">Seed of the unused query projection's values.</param>
    public static void Write(string path, ScouterModel model, OfficialArgs? args = null, long epoch = 0, long toQSeed = 0) =>
        Write(path, model, args, epoch, optimizer: null, lrScheduler: null, toQSeed);

    // The same with PyTorch optimizer and scheduler state dicts (as read into Optimizer and LrScheduler) written back.
    internal static void Write(string path, ScouterModel model, OfficialArgs? args, long epoch, PickleDict? optimizer, PickleDict? lrScheduler, long toQSeed = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stateDict = ExportStateDict(model, toQSeed);
        Write(path, stateDict, args, epoch, optimizer, lrScheduler);
    }

    /// <summary>
    /// The one writer of official checkpoints: <c>model</c>, <c>optimizer</c> and <c>lr_scheduler</c> when given,
    /// <c>epoch</c>, <c>args</c> when given, then <paramref name="extras"/> (keys the official code ignores), in the
    /// official <c>train.py</c>'s order. Atomic.
    /// </summary>
    internal static void Write(string path, StateDict model, OfficialArgs? args, long epoch, PickleDict? optimizer, PickleDict? lrScheduler, IEnumerable<KeyValuePair<string, object?>>? extras = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var root = new PickleDict { ["model"] = model };
        if (optimizer is not null)
        {
            root["optimizer"] = optimizer;
        }

        if (lrScheduler is not null)
        {
            root["lr_scheduler"] = lrScheduler;
        }

        root["epoch"] = epoch;
        if (args is not null)
        {
            root["args"] = args.ToNamespace();
        }

        foreach (var (key, value) in extras ?? [])
        {
            root[key] = value;
        }

        PyTorchFormat.Write(path, root);
    }

    /// <summary>Disposes every tensor of the checkpoint.</summary>
    public void Dispose()
    {
        Model.Dispose();
        file?.Dispose();
    }

    private static OfficialArgs ReadArgs(string path, object? value) => value switch
    {
        null => OfficialArgs.Empty,
        PickleObject obj => new OfficialArgs(obj.Attributes),
        PickleDict dict when dict.Keys.All(k => k is string) => new OfficialArgs(dict.Select(e => new KeyValuePair<string, object?>((string)e.Key, e.Value))),
        _ => throw new CheckpointFormatException(path, $"the checkpoint's 'args' should be an argparse.Namespace or a dict; found a {PickleValues.Describe(value)}."),
    };

    private static StateDictLoadOptions Combine(List<Func<string, string?>> mapping, StateDictLoadOptions? options)
    {
        options ??= new StateDictLoadOptions();
        return new StateDictLoadOptions
        {
            Strict = options.Strict,
            AllowFloatingPointConversion = options.AllowFloatingPointConversion,
            KeyTransforms = [.. mapping, .. options.KeyTransforms],
        };
    }
}
