// ResNeSt-26d and ResNeSt-50d (Zhang et al., "ResNeSt: Split-Attention Networks", 2020) exactly as timm
// builds resnest26d / resnest50d (pytorch-image-models: timm/models/resnest.py on top of timm/models/resnet.py:
// deep stem of width 32, average-pool downsampling, radix-2 split attention, avd). The official SCOUTER code
// uses these timm models; TorchSharp has no ResNeSt. Output strides 16 and 8 dilate the last stages as timm's
// output_stride does (make_blocks, downsample_avg). The code is our own; state-dict names are timm's, so timm
// checkpoints load by name.
using Scouter.Core.Compat;
using Scouter.Core.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Scouter.Core.Backbones;

/// <summary>
/// A ResNeSt "d" classifier with timm's module names: <c>conv1</c> (deep stem), <c>bn1</c>, <c>act1</c>,
/// <c>maxpool</c>, <c>layer1</c>…<c>layer4</c>, <c>global_pool</c>, <c>fc</c>. With 1000 classes ResNeSt-26d has
/// 17,069,448 parameters in 260 state-dict entries and ResNeSt-50d 27,483,240 in 476, as timm's.
/// </summary>
/// <remarks>
/// <see cref="FeatureExtractor"/> gives the part before global pooling as a module that shares this model's
/// parameters (a 260×260 image gives a <c>[B, 2048, 9, 9]</c> feature map at output stride 32, 17×17 at 16, 33×33 at
/// 8). With <c>inputChannels</c> other than 3 the deep stem is replaced by the official SCOUTER MNIST stem, one
/// <c>Conv2d(inputChannels, 64, 3, stride 2, padding 1, bias false)</c> named <c>conv1</c>.
/// </remarks>
/// <example>
/// <code>
/// using var model = ResNeSt.ResNeSt26d(numClasses: 200);
/// using var features = model.FeatureExtractor();
/// var map = features.call(images);   // [B, 2048, H/32, W/32]
/// </code>
/// </example>
public sealed class ResNeSt : nn.Module<Tensor, Tensor>
{
    /// <summary>Channels of the feature map (<c>512·4</c>).</summary>
    public const int FeatureChannels = 512 * ResNeStBottleneck.Expansion;

    private const int StemWidth = 32;
    private const int Radix = 2;

    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ReLU act1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d global_pool;
    private readonly nn.Module<Tensor, Tensor> fc;

    private ResNeSt(string name, IReadOnlyList<int> blocks, int numClasses, int inputChannels, int outputStride, Device? device) : base(name)
    {
        NumClasses = numClasses;
        InputChannels = inputChannels;
        OutputStride = outputStride;
        var layouts = StageLayout.ForOutputStride(outputStride);
        var channels = StemWidth * 2;
        conv1 = inputChannels == 3 ? DeepStem(inputChannels, channels) : MnistStem.Create(inputChannels);
        bn1 = ScalarSafeBatchNorm2d.Create(channels);
        act1 = nn.ReLU(inplace: true);
        maxpool = nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        layer1 = Stage(ref channels, planes: 64, blocks[0], layouts[0]);
        layer2 = Stage(ref channels, planes: 128, blocks[1], layouts[1]);
        layer3 = Stage(ref channels, planes: 256, blocks[2], layouts[2]);
        layer4 = Stage(ref channels, planes: 512, blocks[3], layouts[3]);
        global_pool = nn.AdaptiveAvgPool2d(1);
        fc = numClasses > 0 ? nn.Linear(FeatureChannels, numClasses) : nn.Identity();
        RegisterComponents();
        InitialiseLikeTimm();

        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>ResNeSt-26d: blocks [2, 2, 2, 2], timm's <c>resnest26d</c>.</summary>
    /// <param name="numClasses">Classes of <c>fc</c>; 0 leaves out the classifier (<c>fc</c> is an identity and <see cref="forward"/> returns pooled features).</param>
    /// <param name="inputChannels">Image channels; 3 keeps timm's deep stem, any other count gets the MNIST stem.</param>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    /// <param name="outputStride">32 (timm's default), 16 or 8, as timm's <c>output_stride</c> (see <see cref="BackboneOptions.OutputStride"/>).</param>
    public static ResNeSt ResNeSt26d(int numClasses = 1000, int inputChannels = 3, Device? device = null, int outputStride = BackboneOptions.DefaultOutputStride) =>
        Create("resnest26d", [2, 2, 2, 2], numClasses, inputChannels, outputStride, device);

    /// <summary>ResNeSt-50d: blocks [3, 4, 6, 3], timm's <c>resnest50d</c>.</summary>
    /// <param name="numClasses">Classes of <c>fc</c>; 0 leaves out the classifier (<c>fc</c> is an identity and <see cref="forward"/> returns pooled features).</param>
    /// <param name="inputChannels">Image channels; 3 keeps timm's deep stem, any other count gets the MNIST stem.</param>
    /// <param name="device">Where the parameters live (CPU when null).</param>
    /// <param name="outputStride">32 (timm's default), 16 or 8, as timm's <c>output_stride</c> (see <see cref="BackboneOptions.OutputStride"/>).</param>
    public static ResNeSt ResNeSt50d(int numClasses = 1000, int inputChannels = 3, Device? device = null, int outputStride = BackboneOptions.DefaultOutputStride) =>
        Create("resnest50d", [3, 4, 6, 3], numClasses, inputChannels, outputStride, device);

    private static ResNeSt Create(string name, int[] blocks, int numClasses, int inputChannels, int outputStride, Device? device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        BackboneOptions.ThrowIfUnsupported(outputStride, nameof(outputStride));
        return new ResNeSt(name, blocks, numClasses, inputChannels, outputStride, device);
    }

    /// <summary>Classes of <c>fc</c> (0 when built without a classifier).</summary>
    public int NumClasses { get; }

    /// <summary>Image channels the stem expects.</summary>
    public int InputChannels { get; }

    /// <summary>The output stride it was built with: 32, 16 or 8.</summary>
    public int OutputStride { get; }

    /// <summary>
    /// The layers before global pooling (<c>conv1</c> … <c>layer4</c>) as a <see cref="Sequential"/> that shares this
    /// model's modules and parameters, with the same state-dict names. Training or loading either updates both.
    /// </summary>
    public Sequential FeatureExtractor() => Backbones.FeatureExtractor.ChildrenBefore(this, nameof(global_pool));

    /// <summary>The feature map <c>[B, 2048, h, w]</c>, before global pooling (timm's <c>forward_features</c>).</summary>
    /// <param name="images">Images <c>[B, InputChannels, H, W]</c>.</param>
    /// <exception cref="ArgumentException">The input is not <c>[B, InputChannels, H, W]</c>.</exception>
    public Tensor ForwardFeatures(Tensor images)
    {
        TensorChecks.Rank(images, 4, GetName(), $"images [B, {InputChannels}, H, W]", nameof(images));
        if (images.shape[1] != InputChannels)
        {
            throw new ArgumentException($"{GetName()} was built for {InputChannels}-channel images; got {TensorChecks.Describe(images)}.", nameof(images));
        }

        using var scope = NewDisposeScope();
        var x = maxpool.call(act1.call(bn1.call(conv1.call(images))));
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Class logits <c>[B, NumClasses]</c> (pooled features <c>[B, 2048]</c> when built without a classifier).</summary>
    /// <param name="images">Images <c>[B, InputChannels, H, W]</c>.</param>
    /// <exception cref="ArgumentException">The input is not <c>[B, InputChannels, H, W]</c>.</exception>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var pooled = global_pool.call(ForwardFeatures(images)).flatten(1);
        return fc.call(pooled).MoveToOuterDisposeScope();
    }

    // timm's deep stem: three 3×3 convolutions (stride 2 first) of widths 32, 32, 64; indices 0…6 are state-dict names.
    private static Sequential DeepStem(int inputChannels, int outChannels) => nn.Sequential(
        nn.Conv2d(inputChannels, StemWidth, kernel_size: 3, stride: 2, padding: 1, bias: false),
        ScalarSafeBatchNorm2d.Create(StemWidth),
        nn.ReLU(inplace: true),
        nn.Conv2d(StemWidth, StemWidth, kernel_size: 3, stride: 1, padding: 1, bias: false),
        ScalarSafeBatchNorm2d.Create(StemWidth),
        nn.ReLU(inplace: true),
        nn.Conv2d(StemWidth, outChannels, kernel_size: 3, stride: 1, padding: 1, bias: false));

    // timm's make_blocks: the first block strides (or, in a dilated stage, keeps the previous stage's dilation).
    private static Sequential Stage(ref int channels, int planes, int blocks, StageLayout layout)
    {
        var outChannels = planes * ResNeStBottleneck.Expansion;
        var stage = nn.Sequential();
        for (var i = 0; i < blocks; i++)
        {
            var first = i == 0;
            var blockStride = first ? layout.Stride : 1;
            var downsample = first && (layout.Stride != 1 || channels != outChannels) ? AverageDownsample(channels, outChannels, layout) : null;
            stage.append(ResNeStBottleneck.Create(channels, planes, blockStride, downsample, Radix, first ? layout.FirstDilation : layout.Dilation));
            channels = outChannels;
        }

        return stage;
    }

    // timm's downsample_avg: the shortcut averages 2×2 windows (ceil mode, padding excluded) before a 1×1 conv, so no
    // input pixel is skipped. Index 0 is an identity at stride 1 without dilation, which keeps the conv at
    // "downsample.1". In a dilated stage timm keeps the 2×2 average at stride 1 with TensorFlow-style "same" padding
    // (AvgPool2dSame): one zero row and column after the input, counted in the average.
    private static Sequential AverageDownsample(int inChannels, int outChannels, StageLayout layout) => nn.Sequential(
        layout.Dilation > 1 ? SamePaddedAveragePool()
            : layout.Stride == 1 ? nn.Identity()
            : nn.AvgPool2d(kernel_size: 2, stride: layout.Stride, ceil_mode: true, count_include_pad: false),
        nn.Conv2d(inChannels, outChannels, kernel_size: 1, bias: false),
        ScalarSafeBatchNorm2d.Create(outChannels));

    private static Sequential SamePaddedAveragePool() => nn.Sequential(
        ("pad", nn.ZeroPad2d((0L, 1L, 0L, 1L))),
        ("pool", nn.AvgPool2d(kernel_size: 2, stride: 1)));

    // timm's init_weights: Kaiming normal (fan out, ReLU) for every convolution, then zero_init_last. The MNIST stem
    // keeps its default initialisation, as in the official code, which swaps it in after timm has initialised.
    private void InitialiseLikeTimm()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv when !(InputChannels != 3 && ReferenceEquals(conv, conv1)):
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case ResNeStBottleneck block:
                    nn.init.zeros_(block.LastNorm.weight);
                    break;
            }
        }
    }
}
