using Scouter.Core.Backbones;
using Scouter.Core.Data.Datasets;
using Scouter.Core.Data.Transforms;
using Scouter.Core.Modules;
using Scouter.Core.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Onnx.Tests;

/// <summary>Models and inputs for the export tests.</summary>
internal static class TestModels
{
    /// <summary>A backbone from the registry with an xSlot (positive or negative) or FC head, every batch norm randomised.</summary>
    public static (ScouterModel Model, Backbone Backbone) Create(string backboneName, string head, int inputChannels = 3, int numClasses = 4, int outputStride = BackboneOptions.DefaultOutputStride)
    {
        manual_seed(7);
        var backbone = BackboneRegistry.Default.Create(backboneName, new BackboneOptions { InputChannels = inputChannels, OutputStride = outputStride });
        var model = Compose(backbone.Features, backbone.Channels, head, numClasses);
        return (model, backbone);
    }

    /// <summary>Any feature extractor with the given head.</summary>
    public static ScouterModel Compose(nn.Module<Tensor, Tensor> features, int channels, string head, int numClasses = 4)
    {
        ClassifierHead classifier = head switch
        {
            "fc" => FcClassifierHead.Create(channels, numClasses),
            "xslot+" or "xslot-" => XSlotClassifier.Create(new ClassifierHeadOptions
            {
                Channels = channels, NumClasses = numClasses, SlotsPerClass = 2, HiddenDim = 32, ToKLayers = 2,
                Polarity = head == "xslot-" ? ScouterPolarity.Negative : ScouterPolarity.Positive,
            }),
            _ => throw new ArgumentException(head),
        };
        var model = ScouterModel.Create(features, classifier);
        RandomiseBatchNorms(model);
        model.eval();
        return model;
    }

    /// <summary>
    /// Gives every batch norm non-trivial statistics and affine parameters: freshly built ones are identities
    /// (ResNeSt even zero-initialises the last of each block), which would hide a mistranslated normalisation.
    /// </summary>
    public static void RandomiseBatchNorms(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is BatchNorm norm)
            {
                norm.running_mean!.copy_(randn_like(norm.running_mean) * 0.1);
                norm.running_var!.copy_(rand_like(norm.running_var) + 0.5);
                norm.weight!.copy_(rand_like(norm.weight) + 0.5);
                norm.bias!.copy_(randn_like(norm.bias) * 0.1);
            }
        }
    }

    /// <summary>Normalised synthetic-shape images <c>[count, 3, size, size]</c>, as the data pipeline feeds them.</summary>
    public static Tensor SyntheticImages(int count, int size)
    {
        var pair = SyntheticShapesDataset.Create(new SyntheticShapesOptions { ImageSize = size, TrainCount = count, ValCount = count, Seed = 3 });
        using var rendered = ((SyntheticShapesDataset)pair.Val).Render(0, count);
        using var unit = rendered.Images.to(ScalarType.Float32) / 255;
        return Normalization.ImageNet.Apply(unit);
    }
}
