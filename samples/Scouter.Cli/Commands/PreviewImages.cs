using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Loading;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Explanations.Rendering;
using static TorchSharp.torch;

namespace Scouter.Cli.Commands;

/// <summary>The images a verb explains: <c>--image PATH</c>, or validation images from <c>--vis_id</c> on.</summary>
internal static class PreviewImages
{
    /// <summary>Returns model inputs <c>[B, C, S, S]</c>, the same images as uint8 for drawing, and their labels (−1 when unknown).</summary>
    public static (Tensor Inputs, Tensor Pictures, long[] Labels, string[] Names) Load(ImageTransform transform, LoadedDatasets? data, string? imagePath, int first, int count)
    {
        using var scope = NewDisposeScope();
        Tensor inputs;
        long[] labels;
        string[] names;
        if (imagePath is not null)
        {
            if (!File.Exists(imagePath))
            {
                throw new CliException($"--image {imagePath}: no such file.");
            }

            inputs = ImagePreprocessor.For(transform).Load(imagePath);
            labels = [-1];
            names = [Path.GetFileNameWithoutExtension(imagePath)];
        }
        else
        {
            var val = (data ?? throw new CliException("Without --image, the validation images of the data set are explained: give --dataset_dir.")).Val;
            if (first < 0 || first >= val.Count)
            {
                throw new CliException($"--vis_id {first} is outside the validation split's {val.Count} images.");
            }

            var indices = Enumerable.Range(first, Math.Min(count, val.Count - first)).ToArray();
            inputs = stack(indices.Select(i => transform.Apply(val.ReadImage(i))).ToArray());
            labels = indices.Select(i => (long)val.GetLabel(i)).ToArray();
            names = indices.Select(i => $"val{i}").ToArray();
        }

        var pictures = ImageTensors.ToUInt8(inputs, transform.Normalization.Mean, transform.Normalization.Std);
        return (inputs.MoveToOuterDisposeScope(), pictures.MoveToOuterDisposeScope(), labels, names);
    }
}
