using System.Globalization;
using Scouter.Core.Backbones;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Internal;
using Scouter.Core.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Interop;

/// <summary>
/// A trained model loaded back from its checkpoint alone, with the preprocessing it was trained with: the backbone,
/// stem and head the checkpoint's <see cref="CheckpointSettings"/> name, its weights, evaluation mode, and an
/// <see cref="ImagePreprocessor"/> for the trained image size, channels and normalisation. Works for our checkpoints
/// and the official PyTorch code's. Disposing it disposes the model.
/// </summary>
/// <example>
/// <code>
/// using var trained = TrainedModel.Load("saved_model/MNIST_use_slot_checkpoint.pth");
/// using var output = trained.Explain("seven.png");          // Scores [1, n], ClassMaps [1, n, h, w]
/// var predicted = output.Scores.argmax(1).item&lt;long&gt;();
/// </code>
/// </example>
public sealed class TrainedModel : IDisposable
{
    private readonly Backbone backbone;

    private TrainedModel(ScouterModel model, Backbone backbone, CheckpointSettings settings, long? epoch)
    {
        Model = model;
        this.backbone = backbone;
        Settings = settings;
        Epoch = epoch;
        Preprocessor = settings.CreatePreprocessor();
    }

    /// <summary>The model, in evaluation mode, on the CPU (move it with <c>Model.to(device)</c>).</summary>
    public ScouterModel Model { get; }

    /// <summary>What the model was built from.</summary>
    public CheckpointSettings Settings { get; }

    /// <summary>Turns an image file or tensor into the model's input.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>The checkpoint's last finished epoch, when it records one.</summary>
    public long? Epoch { get; }

    /// <summary>Reads a checkpoint and builds its model as its settings say (<see cref="CheckpointSettings.Read(OfficialCheckpoint)"/>).</summary>
    /// <param name="path">A checkpoint of ours or of the official code (torch.save), or a bare state dict.</param>
    /// <param name="backbones">Where the backbone's name is looked up; <see cref="BackboneRegistry.Default"/> when null.</param>
    /// <exception cref="CheckpointFormatException">The file is not a checkpoint.</exception>
    /// <exception cref="StateDictMismatchException">The weights do not fit the model the settings describe; the message lists every difference.</exception>
    public static TrainedModel Load(string path, BackboneRegistry? backbones = null)
    {
        using var checkpoint = OfficialCheckpoint.Read(path);
        return Create(checkpoint, CheckpointSettings.Read(checkpoint), backbones);
    }

    /// <summary>Builds the model <paramref name="settings"/> describe and loads the checkpoint's weights into it (strictly).</summary>
    /// <param name="checkpoint">The checkpoint; its tensors are copied, so it can be disposed afterwards.</param>
    /// <param name="settings">Usually <see cref="CheckpointSettings.Read(OfficialCheckpoint)"/>, possibly changed (e.g. another <see cref="CheckpointSettings.ImageSize"/>).</param>
    /// <param name="backbones">Where the backbone's name is looked up; <see cref="BackboneRegistry.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The backbone is unknown, or its feature channels are not the head's.</exception>
    /// <exception cref="NotSupportedException">The backbone's factory cannot build the settings' output stride.</exception>
    /// <exception cref="StateDictMismatchException">The weights do not fit; the message lists every difference.</exception>
    public static TrainedModel Create(OfficialCheckpoint checkpoint, CheckpointSettings settings, BackboneRegistry? backbones = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var registry = backbones ?? BackboneRegistry.Default;
        return Create(checkpoint, settings, s => registry.Create(s.Model, new BackboneOptions { InputChannels = s.InputChannels, OutputStride = s.OutputStride }));
    }

    /// <summary>Builds the model with a backbone of your making and loads the checkpoint's weights into it (strictly).</summary>
    /// <param name="checkpoint">The checkpoint; its tensors are copied, so it can be disposed afterwards.</param>
    /// <param name="settings">What to build.</param>
    /// <param name="createBackbone">Builds the backbone the settings name, for their input channels and output stride.</param>
    /// <exception cref="ArgumentException">The backbone's feature channels are not the head's.</exception>
    /// <exception cref="StateDictMismatchException">The weights do not fit; the message lists every difference.</exception>
    public static TrainedModel Create(OfficialCheckpoint checkpoint, CheckpointSettings settings, Func<CheckpointSettings, Backbone> createBackbone)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(createBackbone);
        var backbone = createBackbone(settings);
        ScouterModel? model = null;
        try
        {
            if (backbone.Channels != settings.Channels)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{checkpoint.FilePath}: the head reads {settings.Channels} feature channels, but backbone {settings.Model} gives {backbone.Channels}."), nameof(settings));
            }

            model = ScouterModel.Create(backbone, settings.ToHeadOptions());
            checkpoint.LoadInto(model);
            model.eval();
            return new TrainedModel(model, backbone, settings, checkpoint.Epoch);
        }
        catch
        {
            model?.Dispose();
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>Reads an image file and runs the model on it (no gradients, evaluation mode).</summary>
    /// <param name="imagePath">A JPEG or PNG file of any size.</param>
    /// <returns>Scores <c>[1, n]</c> and, for an xSlot model, the class maps <c>[1, n, h, w]</c>; the caller owns them.</returns>
    public HeadOutput Explain(string imagePath)
    {
        using var input = Preprocessor.Load(imagePath);
        return Run(input);
    }

    /// <summary>Runs the model on decoded images (no gradients, evaluation mode).</summary>
    /// <param name="images">uint8 <c>[C, H, W]</c> or <c>[B, C, H, W]</c>, any size, 1 or 3 channels (see <see cref="ImagePreprocessor.Apply"/>).</param>
    /// <returns>Scores <c>[B, n]</c> and, for an xSlot model, the class maps <c>[B, n, h, w]</c>; the caller owns them.</returns>
    public HeadOutput Explain(Tensor images)
    {
        using var input = Preprocessor.Apply(images);
        return Run(input);
    }

    /// <summary>Disposes the model and its backbone.</summary>
    public void Dispose()
    {
        Model.Dispose();
        backbone.Dispose();
    }

    private HeadOutput Run(Tensor input)
    {
        using var noGrad = no_grad();
        using var eval = new EvalModeScope(Model);
        var device = Model.parameters().First().device;
        using var onDevice = input.to(device);
        return Model.ForwardDetailed(onDevice);
    }
}
