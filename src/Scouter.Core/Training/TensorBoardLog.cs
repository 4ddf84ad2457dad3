// Per-epoch TensorBoard logging of a training run, written through TorchSharp's own SummaryWriter
// (torch.utils.tensorboard): the event files TensorBoard and tensorboardX read.
using Scouter.Core.Compat;
using Scouter.Core.Explanations;
using Scouter.Core.Explanations.Rendering;
using Scouter.Core.Internal;
using Scouter.Core.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Training;

/// <summary>
/// Writes each epoch's loss, accuracy, NLL and area term (train and validation) and learning rate as TensorBoard
/// scalars, and for an xSlot model one image of explanations: the first validation images beside the map of the class
/// each is predicted as, drawn over it. The step of every value is the 1-based epoch, as in the metrics files.
/// </summary>
internal sealed class TensorBoardLog : IDisposable
{
    private readonly SummaryWriter writer;
    private readonly int previewCount;
    private Tensor? preview;

    public TensorBoardLog(string directory, int previewCount)
    {
        writer = torch.utils.tensorboard.SummaryWriter(directory);
        this.previewCount = previewCount;
    }

    /// <summary>Passes the validation batches through, keeping a CPU copy of the first images the first time.</summary>
    public IEnumerable<LabeledBatch> KeepPreview(IEnumerable<LabeledBatch> batches)
    {
        foreach (var batch in batches)
        {
            if (preview is null && previewCount > 0)
            {
                var count = Math.Min(previewCount, batch.Images.shape[0]);
                preview = batch.Images.narrow(0, 0, count).detach().cpu().clone().DetachFromDisposeScope();
            }

            yield return batch;
        }
    }

    public void Write(EpochMetrics metrics, ScouterModel model)
    {
        var step = metrics.Epoch + 1;
        foreach (var (name, train, validation) in new[]
                 {
                     ("loss", metrics.Train.Loss, metrics.Validation.Loss),
                     ("accuracy", metrics.Train.Accuracy, metrics.Validation.Accuracy),
                     ("nll", metrics.Train.Nll, metrics.Validation.Nll),
                     ("area", metrics.Train.Area, metrics.Validation.Area),
                 })
        {
            writer.add_scalar($"{name}/train", (float)train, step);
            writer.add_scalar($"{name}/validation", (float)validation, step);
        }

        writer.add_scalar("learning_rate", (float)metrics.LearningRate, step);
        if (preview is not null && model.Head is XSlotClassifier)
        {
            using var scope = NewDisposeScope();
            writer.add_img("explanations/predicted_class", Explanations(model, preview), step, dataformats: "CHW");
        }
    }

    public void Dispose() => preview?.Dispose();

    // Rows of [image, its predicted class's map over it] as one uint8 RGB image [3, H', W'].
    private static Tensor Explanations(ScouterModel model, Tensor images)
    {
        using var mode = new EvalModeScope(model);
        using var noGrad = no_grad();
        var device = model.parameters().First().device;
        var output = model.ForwardDetailed(images.to(device));
        var predicted = output.Scores.argmax(1);
        var maps = ExplanationMaps.SelectClass(ExplanationMaps.NormalizeJointly(output.ClassMaps!), predicted).cpu();
        var pictures = ImageTensors.ToRgb(ImageTensors.UnitToBytes(StretchEach(images)));
        var overlays = HeatmapOverlay.Overlay(pictures, maps);
        return ImageGrid.Compose(stack([pictures, overlays], 1));
    }

    // Each image's values stretched to [0, 1]: the log does not know the data's normalisation, and this shows any of them.
    private static Tensor StretchEach(Tensor images)
    {
        using var scalars = new ScalarScope();
        var flat = images.flatten(1);
        var low = flat.amin([1], keepdim: true);
        var range = flat.amax([1], keepdim: true).sub(low).clamp_min(scalars.Of(1e-12));
        return flat.sub(low).div(range).view_as(images);
    }
}
