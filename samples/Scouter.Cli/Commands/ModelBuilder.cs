using Microsoft.Extensions.Logging;
using Scouter.Core.Backbones;
using Scouter.Core.Interop;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using Scouter.Core.Training;

namespace Scouter.Cli.Commands;

/// <summary>
/// Builds the model of a run as the official <c>SlotModel</c> does: the named backbone (MNIST stem for one-channel
/// data) at <c>--output_stride</c>, ImageNet weights from <c>--pre_dir</c>, <c>--use_pre</c>, <c>--freeze_layers</c>,
/// then the xSlot or FC head.
/// </summary>
internal static class ModelBuilder
{
    public static (ScouterModel Model, Backbone Backbone) Build(RunSettings settings, int inputChannels, int numClasses, ILogger logger)
    {
        var onnx = OnnxBackboneSettings.IsOnnx(settings.Model);
        var backbone = onnx
            ? OnnxBackboneSettings.Create(settings, inputChannels)
            : BackboneRegistry.Default.Create(settings.Model, new BackboneOptions { InputChannels = inputChannels, OutputStride = settings.OutputStride });
        try
        {
            if (settings.ChannelFlag is { } channel && channel != backbone.Channels)
            {
                throw new CliException($"--channel {channel} does not match {settings.Model}, whose feature map has {backbone.Channels} channels; drop --channel or set it to {backbone.Channels}.");
            }

            // An imported ONNX graph brings its own weights.
            var weightsLoaded = onnx || LoadImageNetWeights(settings, backbone, inputChannels, logger);
            var head = settings.Head.Clone();
            head.NumClasses = numClasses;
            var model = ScouterModel.Create(backbone, head);

            if (settings.UsePre && head.UseSlot)
            {
                var path = settings.PreCheckpointPath;
                if (!File.Exists(path))
                {
                    throw new CliException($"--use_pre true needs the FC baseline's checkpoint {path}; train it first with --use_slot false (same --dataset and --output_dir).");
                }

                OfficialCheckpoint.LoadPretrainedBackbone(model, path);
                logger.LogInformation("Backbone initialised from the FC baseline {Path}", path);
                weightsLoaded = true;
            }

            if (onnx && settings.FreezeLayers is > 0 and < 4)
            {
                logger.LogWarning("--freeze_layers {K} ignored: an imported ONNX graph has no layer1..layer4 (0 trains all of it, 4 freezes all of it)", settings.FreezeLayers);
            }
            else if (weightsLoaded)
            {
                backbone.FreezeLayers(settings.FreezeLayers);
            }
            else if (settings.FreezeLayers != 0)
            {
                logger.LogWarning("--freeze_layers {K} ignored: the backbone starts from random weights, so nothing is frozen", settings.FreezeLayers);
            }

            logger.LogInformation("Convolution layout: {Choice}", settings.ConvolutionLayout.Reason);
            if (settings.ConvolutionLayout.Enabled)
            {
                // After any weights are loaded: copy_ keeps the layout either way, and loading later (checkpoints) does too.
                ChannelsLast.ConvertConvolutions(model);
            }

            var counts = backbone.CountParameters();
            logger.LogInformation("{Model}: {Trainable:N0} of {Total:N0} backbone parameters trainable", settings.Model, counts.Trainable, counts.Total);
            return (model, backbone);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The official code downloads ImageNet weights for <c>--model</c>; here they are looked up as
    /// <c>{pre_dir}/{model}.pth</c> or <c>.safetensors</c>.
    /// </summary>
    private static bool LoadImageNetWeights(RunSettings settings, Backbone backbone, int inputChannels, ILogger logger)
    {
        if (!settings.PreTrained)
        {
            return false;
        }

        var candidates = new[] { ".pth", ".safetensors", ".pt" }.Select(ext => Path.Combine(settings.PreDir, settings.Model + ext)).ToList();
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            var message = $"ImageNet weights for {settings.Model} not found: expected {candidates[0]} (or .safetensors). Nothing is downloaded here; put a torchvision/timm checkpoint there";
            if (settings.PreTrainedExplicit)
            {
                throw new CliException(message + ", or pass --pre_trained false.");
            }

            logger.LogWarning("{Message}. Training the backbone from scratch (--pre_trained is true by default).", message);
            return false;
        }

        using var weights = PyTorchFormat.ReadStateDict(path);
        var transforms = new List<Func<string, string?>> { StateDictKeyTransforms.DropPrefix("fc.") };
        if (inputChannels != 3)
        {
            // The official code loads ImageNet weights, then replaces conv1 for one-channel input.
            transforms.Add(StateDictKeyTransforms.DropPrefix("conv1."));
        }

        var report = StateDictLoader.Load(backbone.Features, weights, new StateDictLoadOptions { KeyTransforms = transforms, Strict = inputChannels == 3 });
        if (report.Unexpected.Count > 0 || report.Mismatched.Count > 0 || report.Missing.Any(k => !k.StartsWith("conv1.", StringComparison.Ordinal)))
        {
            throw new StateDictMismatchException(report);
        }

        logger.LogInformation("ImageNet weights loaded from {Path}", path);
        return true;
    }
}
